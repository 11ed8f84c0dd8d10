import Foundation
import XSNSStorage

/// Where a tensor's bytes lie in a file.
public struct TensorPlacement: Sendable, Equatable {
    public let url: URL
    public let byteOffset: Int
    public let byteCount: Int
}

/// All tensors of a checkpoint, whether in one safetensors file or in shards, addressed by name.
/// Old TensorFlow-converted BERT checkpoints name LayerNorm parameters `gamma`/`beta`; they are
/// listed and found under the names transformers uses (`weight`/`bias`) so the rest of the
/// engine (and the Fisher files) see one naming.
public final class WeightStore: @unchecked Sendable {
    public let files: ModelFiles
    private let shards: [SafeTensorsFile]
    private let locations: [String: (shard: Int, storedName: String)]
    public let names: [String]

    public init(_ files: ModelFiles) throws {
        self.files = files
        shards = try files.weights.map { try SafeTensorsFile(url: $0) }
        var locations: [String: (shard: Int, storedName: String)] = [:]
        var names: [String] = []
        for (index, shard) in shards.enumerated() {
            for tensor in shard.tensors {
                let name = Self.canonicalName(tensor.name)
                if let previous = locations[name] {
                    throw InputError(
                        file: shard.url.path,
                        "tensor '\(name)' is stored twice (also in \(shards[previous.shard].url.lastPathComponent))")
                }
                locations[name] = (index, tensor.name)
                names.append(name)
            }
        }
        self.locations = locations
        self.names = names
    }

    static func canonicalName(_ stored: String) -> String {
        guard stored.contains("LayerNorm.") || stored.contains("layer_norm.") else { return stored }
        if stored.hasSuffix(".gamma") { return stored.dropLast("gamma".count) + "weight" }
        if stored.hasSuffix(".beta") { return stored.dropLast("beta".count) + "bias" }
        return stored
    }

    public func info(_ name: String) -> SafeTensorInfo? {
        guard let location = locations[name], let stored = shards[location.shard].info(location.storedName) else {
            return nil
        }
        return SafeTensorInfo(name: name, dtype: stored.dtype, shape: stored.shape)
    }

    /// The file holding `name` (for messages and `xsns inspect`).
    public func file(of name: String) -> URL? {
        locations[name].map { shards[$0.shard].url }
    }

    public func floats(_ name: String) throws -> [Float] {
        let (shard, storedName) = try location(name)
        return try shards[shard].floats(storedName)
    }

    public func readFloats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        let (shard, storedName) = try location(name)
        try shards[shard].readFloats(storedName, into: destination)
    }

    /// Where `name` lies in its file when stored as little-endian F32 (nil for another dtype).
    public func float32Placement(_ name: String) -> TensorPlacement? {
        guard let (shard, storedName) = locations[name],
              let range = shards[shard].float32ByteRange(storedName) else { return nil }
        return TensorPlacement(url: shards[shard].url, byteOffset: range.lowerBound, byteCount: range.count)
    }

    private func location(_ name: String) throws -> (shard: Int, storedName: String) {
        guard let location = locations[name] else {
            throw InputError(file: files.directory.path, "the checkpoint has no tensor '\(name)'")
        }
        return location
    }
}
