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

/// A Fisher file's tensors in the flat order of `FisherCatalog.load` (file order), read value by value
/// from the mapping: only the pages holding the wanted values are read.
final class MappedFisher: FisherValueSource, @unchecked Sendable {
    private let tensors: [FloatElements]
    private let starts: [Int]  // flat position of each tensor's first value

    init(_ url: URL, layout: TensorLayout) throws {
        let file = try SafeTensorsFile(url: url)
        guard TensorLayout(file.tensors.map { ($0.name, $0.shape) }) == layout else {
            throw InputError(file: url.path, "its tensors are not those its mask index was built from")
        }
        tensors = try layout.entries.map { try file.elements($0.name) }
        starts = layout.entries.map(\.range.lowerBound)
    }

    func values(at positions: UnsafeBufferPointer<UInt32>, into output: UnsafeMutableBufferPointer<Float>) throws {
        var tensor = 0
        for (slot, position) in positions.enumerated() {
            let flat = Int(position)
            while tensor + 1 < starts.count, starts[tensor + 1] <= flat { tensor += 1 }
            output[slot] = tensors[tensor][flat - starts[tensor]]
        }
    }
}

/// An index whose codes disagree with its own group counts: a damaged file (or memory). Never used for a
/// result; the session's index store rebuilds it from the Fisher file.
public struct IndexDamaged: Error, CustomStringConvertible, Sendable {
    public let file: String?
    public let reason: String
    public var description: String { "\(file.map { "\($0): " } ?? "")mask index damaged: \(reason)" }
}
