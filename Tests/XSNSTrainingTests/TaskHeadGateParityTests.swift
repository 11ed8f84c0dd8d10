import Foundation
import Testing
import XSNSEngine
import XSNSProbe
import XSNSPruning
import XSNSTestSupport

/// `prune-heads --objective task` judges masks by the probe's tagger: its head importance is ∂(tagging
/// loss)/∂ξ through the task adapter. Against PyTorch (Tests/FixtureGenerator/gen_task_gates.py: the
/// AdapterHub-equivalent adapter on, heads gated by hooks): word accuracy, mean loss and Σ_batches |∂L_b/∂ξ|
/// with every head on and with three off, on the tiny XLM-R and BERT models.
struct TaskHeadGateParityTests {
    struct Cases: Decodable {
        struct Result: Decodable {
            var head_mask: Int
            var importance_float64: [[Double]]
            var accuracy: Double
            var loss_mean: Double
        }
        var head_masks: [[[Int]]]
        var batches: [[Int]]
        var results: [Result]
    }

    @Test(arguments: ["xlmr-tiny", "bert-tiny"])
    func accuracyLossAndImportanceMatchPyTorch(model name: String) throws {
        let cases = try JSONDecoder().decode(
            Cases.self, from: Data(contentsOf: Fixtures.url("probe/gates/\(name)/cases.json")))
        let test = try JSONDecoder().decode(
            ProbeParityTests.Test.self, from: Data(contentsOf: Fixtures.url("probe/parity/\(name)/test.json")))
        let (model, head) = try AdapterParityTests.Fixture(name).load()
        let sentences = test.sequences.map {
            LabelledSentence(inputIds: $0.input_ids, positions: $0.positions, labels: $0.labels.map { Optional($0) })
        }
        let batches = cases.batches.map { $0.map { sentences[$0] } }
        var worst = 0.0
        for result in cases.results {
            let mask = cases.head_masks[result.head_mask].flatMap { $0.map { $0 != 0 } }
            let evaluation = try head.evaluateHeads(model: model, batches, mask: mask)
            #expect(abs(evaluation.accuracy - result.accuracy) < 1e-12, "\(name) mask \(result.head_mask)")
            #expect(abs(evaluation.loss - result.loss_mean) <= 1e-5 * result.loss_mean)
            let reference = result.importance_float64.flatMap { $0 }
            let scale = reference.map(abs).max() ?? 1
            let difference = zip(evaluation.importance, reference).map { abs($0 - $1) }.max() ?? .infinity
            worst = max(worst, difference / scale)
            #expect(model.headMask == nil, "the model's own mask is restored")
        }
        print("\(name): task head importance vs PyTorch float64, max rel. diff \(worst)")
        #expect(worst <= 1e-4)
    }
}
