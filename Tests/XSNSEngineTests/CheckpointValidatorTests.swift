import Foundation
import Testing
import XSNSEngine
import XSNSStorage
import XSNSTestSupport

struct CheckpointValidatorTests {
    @Test(arguments: CheckpointFixtures.models)
    func theFixtureCheckpointsAreValidWithATiedDecoder(model: String) throws {
        let checkpoint = try Checkpoint.open(CheckpointFixtures.folder(model).path, environment: [:])
        let expected = try CheckpointFixtures.expected(model)
        #expect(checkpoint.config.modelType == expected.model_type)
        #expect(checkpoint.tensors.decoderWeight == nil)
        let head = checkpoint.config.family == .roberta ? "lm_head.bias" : "cls.predictions.bias"
        #expect(checkpoint.tensors.decoderBias == head)
        // θ as the schema lists it is exactly the stored encoder.layer.* tensors, with their shapes.
        let theta = expected.tensors.filter { $0.key.contains(".encoder.layer.") }
        let schema = checkpoint.tensors.schema
        #expect(Set(schema.thetaTensors.map(\.name)) == Set(theta.keys))
        for tensor in schema.thetaTensors { #expect(theta[tensor.name]?.shape == tensor.shape) }
        #expect(schema.thetaLayout.totalCount == expected.theta_parameters)
    }

    @Test func aStoredDecoderWeightIsUsed() throws {
        let folder = try CheckpointFixtures.copy("xlmr-tiny")
        try CheckpointFixtures.rewriteWeights(in: folder) { tensors in
            guard let embeddings = tensors.first(where: { $0.name == "roberta.embeddings.word_embeddings.weight" }) else { return }
            tensors.append((name: "lm_head.decoder.weight", shape: embeddings.shape, values: embeddings.values))
        }
        #expect(try Checkpoint.open(folder.path, environment: [:]).tensors.decoderWeight == "lm_head.decoder.weight")
    }

    enum Breakage: String, CaseIterable {
        case missingThetaTensor, wrongShape, missingBias, integerTensor
    }

    @Test(arguments: Breakage.allCases)
    func brokenWeightsNameTheFileAndTensor(_ breakage: Breakage) throws {
        let folder = try CheckpointFixtures.copy("xlmr-tiny")
        let target = "roberta.encoder.layer.1.intermediate.dense.weight"
        try CheckpointFixtures.rewriteWeights(in: folder) { tensors in
            switch breakage {
            case .missingThetaTensor: tensors.removeAll { $0.name == target }
            case .wrongShape:
                if let index = tensors.firstIndex(where: { $0.name == target }) { tensors[index].shape = [40, 96] }
            case .missingBias: tensors.removeAll { $0.name == "lm_head.bias" }
            case .integerTensor: break
            }
        }
        if breakage == .integerTensor {
            try Self.replaceDtype(of: "lm_head.bias", in: folder.appendingPathComponent("model.safetensors"), with: "I32")
        }
        do {
            _ = try Checkpoint.open(folder.path, environment: [:])
            Issue.record("accepted a checkpoint with \(breakage)")
        } catch let error as InputError {
            #expect(error.file?.hasSuffix("model.safetensors") == true)
            let named = breakage == .missingBias || breakage == .integerTensor ? "lm_head.bias" : target
            #expect(error.message.contains("'\(named)'"), "\(error)")
        }
    }

    /// Same byte size, different dtype name: only the validator can notice.
    static func replaceDtype(of name: String, in url: URL, with dtype: String) throws {
        var text = try Data(contentsOf: url)
        let pattern = Data(#""\#(name)":{"dtype":"F32""#.utf8)
        guard let range = text.range(of: pattern) else { return }
        text.replaceSubrange(range, with: Data(#""\#(name)":{"dtype":"\#(dtype)""#.utf8))
        try text.write(to: url)
    }

    @Test func configDisagreementsAreNamed() throws {
        let cases: [(edit: (inout [String: Any]) -> Void, says: String)] = [
            ({ $0["num_hidden_layers"] = 1 }, "beyond num_hidden_layers = 1"),
            ({ $0["num_hidden_layers"] = 3 }, "missing tensor 'roberta.encoder.layer.2."),
            ({ $0["intermediate_size"] = 64 }, "implies [64, 48]"),
            ({ $0["model_type"] = "bert" }, "'roberta.*' names but config.json says model_type 'bert'"),
            ({ $0["model_type"] = "gpt2" }, "unsupported model_type 'gpt2'"),
            ({ $0["tie_word_embeddings"] = false }, "missing tensor 'lm_head.decoder.weight'"),
            ({ $0["position_embedding_type"] = "relative_key" }, "unsupported position_embedding_type 'relative_key'"),
        ]
        for (edit, says) in cases {
            let folder = try CheckpointFixtures.copy("xlmr-tiny")
            let configURL = folder.appendingPathComponent("config.json")
            var config = try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any] ?? [:]
            edit(&config)
            try JSONSerialization.data(withJSONObject: config).write(to: configURL)
            do {
                _ = try Checkpoint.open(folder.path, environment: [:])
                Issue.record("accepted: \(says)")
            } catch let error as InputError {
                #expect(error.description.contains(says), "\(error)")
            }
        }
    }
}
