import Foundation
import Testing
import XSNSEngine
import XSNSStorage
import XSNSTestSupport

/// Weights read through the store must equal what Python's `safetensors` read (expected.json).
struct CheckpointWeightStoreTests {
    @Test(arguments: CheckpointFixtures.models)
    func everyTensorMatchesPython(model: String) throws {
        let expected = try CheckpointFixtures.expected(model)
        let store = try WeightStore(ModelResolver.resolve(CheckpointFixtures.folder(model).path, environment: [:]))
        #expect(Set(store.names) == Set(expected.tensors.keys))
        let dtypeNames = ["float32": "F32", "float16": "F16", "bfloat16": "BF16"]
        for (name, tensor) in expected.tensors {
            #expect(store.info(name) == SafeTensorInfo(name: name, dtype: dtypeNames[tensor.dtype] ?? "?", shape: tensor.shape))
            #expect(store.file(of: name)?.lastPathComponent == tensor.file)
            let values = try store.floats(name)
            #expect(values.prefix(4).map(\.bitPattern) == tensor.head_bits, "\(name)")
            let sum = values.reduce(0.0) { $0 + Double($1) }
            #expect(abs(sum - tensor.sum) <= 1e-9 * max(1, abs(tensor.sum)), "\(name)")
        }
    }

    @Test func shardedAndSingleFileHoldTheSameWeights() throws {
        let single = try WeightStore(ModelResolver.resolve(CheckpointFixtures.folder("xlmr-tiny").path, environment: [:]))
        let sharded = try WeightStore(ModelResolver.resolve(CheckpointFixtures.folder("xlmr-tiny-sharded").path, environment: [:]))
        #expect(Set(single.names) == Set(sharded.names))
        for name in single.names {
            #expect(try single.floats(name) == sharded.floats(name))
        }
    }

    @Test func tensorFlowLayerNormNamesAreListedUnderTransformersNames() throws {
        let folder = try CheckpointFixtures.copy("bert-tiny")
        try CheckpointFixtures.rewriteWeights(in: folder) { tensors in
            for index in tensors.indices where tensors[index].name.contains("LayerNorm.") {
                tensors[index].name = tensors[index].name
                    .replacingOccurrences(of: "LayerNorm.weight", with: "LayerNorm.gamma")
                    .replacingOccurrences(of: "LayerNorm.bias", with: "LayerNorm.beta")
            }
        }
        let checkpoint = try Checkpoint.open(folder.path, environment: [:])
        #expect(checkpoint.weights.names.contains("bert.encoder.layer.0.output.LayerNorm.weight"))
        #expect(!checkpoint.weights.names.contains { $0.hasSuffix(".gamma") })
        let original = try WeightStore(ModelResolver.resolve(CheckpointFixtures.folder("bert-tiny").path, environment: [:]))
        let name = "bert.embeddings.LayerNorm.bias"
        #expect(try checkpoint.weights.floats(name) == original.floats(name))
    }

    @Test func aTensorStoredInTwoShardsIsAnInputError() throws {
        let folder = try CheckpointFixtures.copy("xlmr-tiny-sharded")
        let shards = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("model-") }.sorted()
        let first = folder.appendingPathComponent(shards[0])
        try FileManager.default.removeItem(at: folder.appendingPathComponent(shards[1]))
        try FileManager.default.copyItem(at: first, to: folder.appendingPathComponent(shards[1]))
        #expect(throws: InputError.self) { try WeightStore(ModelResolver.resolve(folder.path, environment: [:])) }
    }

    @Test func unknownNamesAreInputErrors() throws {
        let store = try WeightStore(ModelResolver.resolve(CheckpointFixtures.folder("xlmr-tiny").path, environment: [:]))
        #expect(store.info("nope") == nil)
        #expect(throws: InputError.self) { try store.floats("nope") }
    }
}
