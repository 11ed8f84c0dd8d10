import Foundation
import XSNSStorage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which Fisher file an index was built from: the cheap part (size, modification time, inode) is checked
/// at every open; when it differs (the session was copied, say) the SHA-256 decides.
public struct FisherSignature: Codable, Equatable, Sendable {
    public var bytes: Int
    public var modifiedNanoseconds: Int64
    public var inode: UInt64
    public var sha256: String

    /// The cheap part of the file's signature now (the digest left empty).
    static func current(_ url: URL) throws -> FisherSignature {
        var status = stat()
        guard stat(url.path, &status) == 0 else {
            throw InputError(file: url.path, "cannot read: \(String(cString: strerror(errno)))")
        }
        #if os(Linux)
        let time = status.st_mtim
        #else
        let time = status.st_mtimespec
        #endif
        return FisherSignature(bytes: Int(status.st_size), modifiedNanoseconds: Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec),
                               inode: UInt64(status.st_ino), sha256: "")
    }

    func sameFile(as other: FisherSignature) -> Bool {
        bytes == other.bytes && modifiedNanoseconds == other.modifiedNanoseconds && inode == other.inode
    }
}

/// A session's persistent mask index of one Fisher file (`index/<lang>.seed<k>.maskindex`):
///
///     "XSNSMIX1" | header length (UInt64 LE) | header JSON | SHA-256 of the header JSON (64 hex digits)
///     | zero padding to a multiple of 64 | code planes (8 × ⌈n/64⌉ UInt64 LE, see `CodePlanes`)
///
/// The header names the Fisher file's signature and tensors, the cuts and the groups' starts and extremes
/// (floats as their IEEE bit patterns, so nothing is rounded through decimal), and the head mass. About
/// one byte per Fisher value. Written atomically (temp file, fsync, rename); read by mapping.
enum MaskIndexFile {
    static let magic = Array("XSNSMIX1".utf8)
    static let version = 2

    struct Header: Codable, Equatable {
        var format = "xsns-mask-index"
        var version = MaskIndexFile.version
        var count: Int
        var tensors: [Tensor]
        var fisher: FisherSignature
        var cuts: [UInt32]
        var groupStart: [Int]
        var groupMinimum: [UInt32]
        var groupMaximum: [UInt32]
        /// numpy's threshold at each p of `MaskGroups.grid`, in its order.
        var gridThresholds: [UInt32]
        /// `CodePlanes.digest` of the planes, 16 hex digits.
        var planesDigest: String
        var headMass: [[Double]]?

        struct Tensor: Codable, Equatable {
            var name: String
            var shape: [Int]
        }

        var layout: TensorLayout { TensorLayout(tensors.map { ($0.name, $0.shape) }) }
        var groups: MaskGroups {
            MaskGroups(cuts: cuts.map(Float.init(bitPattern:)), start: groupStart,
                       minimum: groupMinimum.map(Float.init(bitPattern:)), maximum: groupMaximum.map(Float.init(bitPattern:)),
                       gridThresholds: gridThresholds.map(Float.init(bitPattern:)))
        }
    }

    static func write(layout: TensorLayout, groups: MaskGroups, planes: [UInt64], headMass: HeadGrid?,
                      fisher: FisherSignature, to url: URL) throws {
        let header = Header(
            count: groups.count, tensors: layout.entries.map { Header.Tensor(name: $0.name, shape: $0.shape) }, fisher: fisher,
            cuts: groups.cuts.map(\.bitPattern), groupStart: groups.start, groupMinimum: groups.minimum.map(\.bitPattern),
            groupMaximum: groups.maximum.map(\.bitPattern), gridThresholds: groups.gridThresholds.map(\.bitPattern),
            planesDigest: String(planes.withUnsafeBufferPointer { CodePlanes.digest($0.baseAddress!, wordCount: CodePlanes.wordCount(groups.count)) }, radix: 16),
            headMass: headMass?.values)
        let json = try JSONEncoder().encode(header)
        var prefix = CheckedHeader.frame(mark: magic, json: json)
        prefix.append(Data(count: (64 - prefix.count % 64) % 64))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(to: url, direct: planes.count * 8 >= AtomicFile.directMinimumBytes) { sink in
            try sink.write(prefix)
            try planes.withUnsafeBytes { try sink.write($0) }
        }
    }

    /// The mapped file, its header and where its planes start; every structural fact is checked, so a
    /// truncated, edited or foreign file is an `IndexDamaged` naming it, never a wrong mask.
    static func read(_ url: URL) throws -> (mapping: MappedFile, header: Header, planes: UnsafePointer<UInt64>) {
        let damaged = { (reason: String) in IndexDamaged(file: url.path, reason: reason) }
        let mapping: MappedFile
        do { mapping = try MappedFile(url: url) } catch { throw damaged("cannot be read (\(error))") }
        let bytes = mapping.bytes
        let (json, headerEnd) = try CheckedHeader.read(bytes, mark: magic, kind: "a mask index", damaged: damaged)
        let header: Header
        do { header = try JSONDecoder().decodeScreened(Header.self, from: json) } catch {
            throw damaged("its header is not a mask index header")
        }
        guard header.format == "xsns-mask-index", header.version == version else {
            throw damaged("format \(header.format) version \(header.version), this build reads version \(version)")
        }
        try validate(header, damaged)
        let offset = (headerEnd + 63) / 64 * 64
        let planeBytes = CodePlanes.wordCount(header.count) * CodePlanes.planeCount * 8
        guard bytes.count == offset + planeBytes else {
            throw damaged("\(bytes.count) bytes where its header implies \(offset + planeBytes) (truncated?)")
        }
        let planes = (bytes.baseAddress! + offset).assumingMemoryBound(to: UInt64.self)
        return (mapping, header, planes)
    }

    private static func validate(_ header: Header, _ damaged: (String) -> IndexDamaged) throws {
        let groupCount = header.cuts.count + 1
        guard header.count > 0, header.count < Int(UInt32.max), groupCount <= 256 else { throw damaged("impossible sizes") }
        var total = 0
        for tensor in header.tensors {
            guard tensor.shape.allSatisfy({ $0 >= 0 }) else { throw damaged("a negative tensor dimension") }
            let (elements, overflow) = tensor.shape.reduce((1, false)) { partial, dimension in
                let (product, overflow) = partial.0.multipliedReportingOverflow(by: dimension)
                return (product, partial.1 || overflow)
            }
            guard !overflow, elements <= header.count - total else { throw damaged("tensors larger than its count") }
            total += elements
        }
        guard total == header.count else { throw damaged("tensors of \(total) values for a count of \(header.count)") }
        guard header.groupStart.count == groupCount + 1, header.groupMinimum.count == groupCount,
              header.groupMaximum.count == groupCount, header.groupStart.first == 0, header.groupStart.last == header.count,
              zip(header.groupStart, header.groupStart.dropFirst()).allSatisfy({ $0 <= $1 })
        else { throw damaged("group starts that do not partition its values") }
        let groups = header.groups
        let keys = groups.cuts.map(MaskGroups.orderKey)
        guard !groups.cuts.contains(where: \.isNaN), zip(keys, keys.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw damaged("cuts out of order")
        }
        for group in 0..<groupCount where groups.size(group) > 0 {
            let (low, high) = (groups.minimum[group], groups.maximum[group])
            guard !low.isNaN, !high.isNaN, low <= high,
                  group == 0 || low >= groups.cuts[group - 1], group == groupCount - 1 || high < groups.cuts[group]
            else { throw damaged("group \(group)'s extremes lie outside its cuts") }
        }
        guard header.gridThresholds.count == MaskGroups.grid.count else { throw damaged("thresholds for another p grid") }
        guard UInt64(header.planesDigest, radix: 16) != nil else { throw damaged("no planes checksum") }
        if let mass = header.headMass, mass.contains(where: { $0.count != mass[0].count }) {
            throw damaged("a ragged head-mass grid")
        }
    }
}
