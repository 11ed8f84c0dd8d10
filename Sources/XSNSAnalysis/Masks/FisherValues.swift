import Foundation
import XSNSStorage

/// Where an index reads the few Fisher values it needs at a p off its grid (one group's, in position
/// order): the vector itself when it is in memory, else the Fisher file, mapped, read in place.
protocol FisherValueSource: Sendable {
    /// The values at `positions` (ascending flat positions) into `output`.
    func values(at positions: UnsafeBufferPointer<UInt32>, into output: UnsafeMutableBufferPointer<Float>) throws
}

struct InMemoryFisher: FisherValueSource {
    let values: [Float]

    func values(at positions: UnsafeBufferPointer<UInt32>, into output: UnsafeMutableBufferPointer<Float>) throws {
        values.withUnsafeBufferPointer { values in
            for (slot, position) in positions.enumerated() { output[slot] = values[Int(position)] }
        }
    }
}

/// A Fisher file's tensors in the flat order of `FisherCatalog.load` (file order). A few values are read
/// in place from the mapping (only their pages are read); a whole group at a grid step of 0.005 has a value
/// on nearly every page, so then the file is streamed front to back in large reads instead: page faults
/// cost more than the copy, and the kernel reads ahead of sequential reads.
final class MappedFisher: FisherValueSource, @unchecked Sendable {
    private let file: SafeTensorsFile
    private let tensors: [FloatElements]
    private let starts: [Int]  // flat position of each tensor's first value
    /// Each tensor's bytes in the file when it is F32 (what streaming reads), else nil.
    private let float32Ranges: [Range<Int>?]
    private let count: Int
    /// Values per streamed read (16 MiB).
    static let windowValues = 1 << 22

    init(_ url: URL, layout: TensorLayout) throws {
        let file = try SafeTensorsFile(url: url)
        guard TensorLayout(file.tensors.map { ($0.name, $0.shape) }) == layout else {
            throw InputError(file: url.path, "its tensors are not those its mask index was built from")
        }
        self.file = file
        tensors = try layout.entries.map { try file.elements($0.name) }
        starts = layout.entries.map(\.range.lowerBound)
        float32Ranges = layout.entries.map { file.float32ByteRange($0.name) }
        count = layout.totalCount
    }

    func values(at positions: UnsafeBufferPointer<UInt32>, into output: UnsafeMutableBufferPointer<Float>) throws {
        // More than one wanted value per 4 KiB page on average: stream.
        let reader = positions.count * 1024 > count ? try DirectReader(path: file.url.path, capacity: Self.windowValues * 4) : nil
        var slot = 0
        for tensor in starts.indices where slot < positions.count {
            let start = starts[tensor]
            let end = tensor + 1 < starts.count ? starts[tensor + 1] : count
            let first = slot
            while slot < positions.count, Int(positions[slot]) < end { slot += 1 }
            guard first < slot else { continue }
            if let reader, let bytes = float32Ranges[tensor] {
                try stream(positions, first..<slot, tensorStart: start, bytes: bytes, reader: reader, into: output)
            } else {
                for index in first..<slot { output[index] = tensors[tensor][Int(positions[index]) - start] }
            }
        }
    }

    /// The wanted values of one F32 tensor (positions[slots]), read window by window from its first to
    /// its last wanted value.
    private func stream(
        _ positions: UnsafeBufferPointer<UInt32>, _ slots: Range<Int>, tensorStart: Int, bytes: Range<Int>, reader: DirectReader,
        into output: UnsafeMutableBufferPointer<Float>
    ) throws {
        var slot = slots.lowerBound
        while slot < slots.upperBound {
            let from = Int(positions[slot]) - tensorStart
            let to = min(from + Self.windowValues, Int(positions[slots.upperBound - 1]) - tensorStart + 1)
            let window = try reader.read((bytes.lowerBound + from * 4)..<(bytes.lowerBound + to * 4))
            while slot < slots.upperBound, Int(positions[slot]) - tensorStart < to {
                let offset = (Int(positions[slot]) - tensorStart - from) * 4
                output[slot] = Float(bitPattern: UInt32(littleEndian: window.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                slot += 1
            }
        }
    }
}

/// A Fisher file opened on the first read: opening a session maps hundreds of indexes, and only a p off
/// the grid reads values (parsing each file's header up front was a quarter of a new p at 100 languages
/// × 3 seeds). The index was checked to belong to the file (signature or SHA-256) before.
final class LazyFisher: FisherValueSource, @unchecked Sendable {
    private let url: URL
    private let layout: TensorLayout
    private let lock = NSLock()
    private var opened: MappedFisher?

    init(_ url: URL, layout: TensorLayout) {
        self.url = url
        self.layout = layout
    }

    func values(at positions: UnsafeBufferPointer<UInt32>, into output: UnsafeMutableBufferPointer<Float>) throws {
        let fisher = try lock.withLock {
            if let opened { return opened }
            let fisher = try MappedFisher(url, layout: layout)
            opened = fisher
            return fisher
        }
        try fisher.values(at: positions, into: output)
    }
}

/// An index whose codes disagree with its own group counts: a damaged file (or memory). Never used for a
/// result; the session's index store rebuilds it from the Fisher file.
public struct IndexDamaged: Error, CustomStringConvertible, Sendable {
    public let file: String?
    public let reason: String
    public var description: String { "\(file.map { "\($0): " } ?? "")mask index damaged: \(reason)" }
}
