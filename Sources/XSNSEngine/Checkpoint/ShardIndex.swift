import Foundation
import XSNSStorage

/// `model.safetensors.index.json` of a sharded checkpoint: which shard holds each tensor.
enum ShardIndex {
    /// The shard files sorted by name (`model-00001-of-0000N…`); each must exist beside the index and stay
    /// inside its folder (a hostile index must not make us open arbitrary paths).
    static func shards(of index: URL) throws -> [URL] {
        let map = try weightMap(of: index)
        var shards: [URL] = []
        for (name, shard) in map.sorted(by: { $0.key < $1.key }) where !shards.contains(where: { $0.lastPathComponent == shard }) {
            guard !shard.isEmpty, !shard.contains("/"), shard != "..", shard != "." else {
                throw InputError(file: index.path, "shard name '\(shard)' for tensor '\(name)' is not a plain file name")
            }
            let url = index.deletingLastPathComponent().appendingPathComponent(shard)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw InputError(file: index.path, "lists shard '\(shard)', which does not exist")
            }
            shards.append(url)
        }
        guard !shards.isEmpty else { throw InputError(file: index.path, "weight_map lists no tensors") }
        return shards.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Tensor name → shard file name.
    static func weightMap(of index: URL) throws -> [String: String] {
        let data: Data
        do { data = try Data(contentsOf: index) } catch {
            throw InputError(file: index.path, "cannot read: \(error.localizedDescription)")
        }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw InputError(file: index.path, "not a JSON object")
        }
        guard let entries = root["weight_map"] as? [String: Any] else {
            throw InputError(file: index.path, "no weight_map object")
        }
        var map: [String: String] = [:]
        for (name, value) in entries {
            guard let shard = value as? String else {
                throw InputError(file: index.path, "weight_map entry '\(name)' is not a file name")
            }
            map[name] = shard
        }
        return map
    }
}
