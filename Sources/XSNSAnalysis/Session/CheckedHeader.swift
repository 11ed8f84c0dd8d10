import Foundation
import XSNSStorage

/// The framing a session's index files share (`MaskIndexFile`, `PairCountFile`): an 8-byte mark, the
/// header's length (UInt64 LE), the header JSON and its SHA-256 in hex, so that a foreign, truncated or
/// edited header is refused before it is decoded.
enum CheckedHeader {
    static func frame(mark: [UInt8], json: Data) -> Data {
        var data = Data(mark)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        data.append(Data(SHA256.hexDigest(json).utf8))
        return data
    }

    /// The header JSON and the offset just past its checksum; `kind` names the file type in errors ("a
    /// mask index").
    static func read(_ bytes: UnsafeRawBufferPointer, mark: [UInt8], kind: String, damaged: (String) -> IndexDamaged)
        throws -> (json: Data, end: Int)
    {
        guard bytes.count >= 16, Array(bytes[0..<8]) == mark else {
            throw damaged("not \(kind) (no \(String(decoding: mark, as: UTF8.self)) mark)")
        }
        let declared = bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian
        guard declared <= UInt64(bytes.count - 16 - 64) else { throw damaged("its header runs past the end (truncated?)") }
        let headerEnd = 16 + Int(declared)
        let json = Data(bytes[16..<headerEnd])
        guard Data(SHA256.hexDigest(json).utf8) == Data(bytes[headerEnd..<(headerEnd + 64)]) else {
            throw damaged("its header does not match its checksum (edited?)")
        }
        return (json, headerEnd + 64)
    }
}
