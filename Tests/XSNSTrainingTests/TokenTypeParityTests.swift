import Foundation
import Testing
import XSNSEngine
import XSNSStorage
import XSNSTestSupport

/// Sentence pairs through the engine: BERT's second segment of token type 1 (Tests/FixtureGenerator/
/// gen_token_types.py): the masked-LM loss of both batches (which the types change: they are not ignored)
/// and every parameter's gradient of the first, token type embeddings included, against PyTorch.
struct TokenTypeParityTests {
    struct Cases: Decodable {
        struct Sequence: Decodable { var input_ids: [Int32]; var token_type_ids: [Int32]; var labels: [Int32] }
        var batches: [[Sequence]]
        var losses_float64: [Double]
        var losses_without_types_float64: [Double]
    }

    @Test func pairsOfTypesZeroAndOneMatchPyTorch() throws {
        let folder = Fixtures.url("token-types/bert-tiny")
        let cases = try JSONDecoder().decode(Cases.self, from: Data(contentsOf: folder.appendingPathComponent("cases.json")))
        let model = try TrainingFixture("bert-tiny").model()
        func loss(_ batch: [MaskedSequence], gradient: inout [Float]) throws -> Double {
            var random = SeededRandom(seed: 1)
            return try gradient.withUnsafeMutableBufferPointer {
                try model.maskedLMLossAndGradient(batch, groups: [.theta, .embeddings, .head], dropout: false, random: &random,
                                                  gradient: $0.baseAddress!)
            } ?? .nan
        }
        var first: [Float] = []
        for (index, batch) in cases.batches.enumerated() {
            let typed = batch.map { MaskedSequence(inputIds: $0.input_ids, labels: $0.labels, typeIds: $0.token_type_ids) }
            let untyped = batch.map { MaskedSequence(inputIds: $0.input_ids, labels: $0.labels) }
            var gradient = [Float](repeating: 0, count: model.parameters.layout.totalCount)
            let withTypes = try loss(typed, gradient: &gradient)
            if index == 0 { first = gradient }
            var scratch = [Float](repeating: 0, count: gradient.count)
            let withoutTypes = try loss(untyped, gradient: &scratch)
            #expect(abs(withTypes - cases.losses_float64[index]) <= 1e-5 * cases.losses_float64[index], "batch \(index)")
            #expect(abs(withoutTypes - cases.losses_without_types_float64[index]) <= 1e-5 * withoutTypes, "batch \(index)")
        }
        let worst = try worstRelativeDifference(
            actual: FlatTensors(layout: model.parameters.layout, values: first),
            reference: SafeTensorsFile(url: folder.appendingPathComponent("gradients.safetensors")), baseline: nil,
            label: "bert-tiny gradients with token types")
        #expect(worst <= 1e-4)
    }
}
