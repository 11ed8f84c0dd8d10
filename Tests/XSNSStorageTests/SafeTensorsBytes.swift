import Foundation
import XSNSTestSupport

/// Hand-built safetensors files for the malformed-input and ordering tests.
enum SafeTensorsBytes {
    static func make(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> Data {
        let json = Data(header.utf8)
        var length = (declaredLength ?? UInt64(json.count)).littleEndian
        var bytes = Data(bytes: &length, count: 8)
        bytes.append(json)
        bytes.append(contentsOf: data)
        return bytes
    }

    static func store(_ bytes: Data, name: String = "file.safetensors") throws -> URL {
        let url = try Fixtures.temporaryDirectory("safetensors").appendingPathComponent(name)
        try bytes.write(to: url)
        return url
    }

    /// Little-endian float32 bytes.
    static func floats(_ values: [Float]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    }
}
