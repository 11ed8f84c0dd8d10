import Foundation
import Testing
import XSNSAnalysis
import XSNSEngine
import XSNSPruning
import XSNSTestSupport

/// Iterative head pruning against a PyTorch replay of the same procedure on the same masked batches
/// (Tests/FixtureGenerator/gen_pruning.py, heads gated by hooks as Hugging Face's head mask did): every
/// step's mask, masked-token accuracy (correct counts), loss and raw head importance, and the final
/// sub-network. The demo model (trained) on German and Finnish, normalised and raw importance, both end on
/// a step below --keep; bert-tiny (random weights, accuracy 0) switches off two heads a step and stops one
/// step before no head is left.
struct HeadPruningParityTests {
    struct Case: Decodable {
        struct Sentence: Decodable { var input_ids: [Int32]; var labels: [Int32] }
        struct Step: Decodable {
            var heads: Int
            var mask: [[Int]]
            var correct: Int
            var predicted: Int
            var loss_float64: Double
            var importance_raw_float64: [[Double]]
            var accepted: Bool
        }
        var model: String
        var layers: Int
        var heads: Int
        var keep: Double
        var step: Double
        var normalise: Bool
        var batches: [[Sentence]]
        var steps: [Step]
        var final_mask: [[Int]]
    }

    @Test(arguments: ["demo-de", "demo-fi", "bert-tiny"])
    func everyStepMatchesPyTorch(_ name: String) throws {
        let fixture = try JSONDecoder().decode(
            Case.self, from: Data(contentsOf: Fixtures.url("pruning/\(name)/cases.json")))
        let checkpoint = try Checkpoint.open(Fixtures.repositoryRoot.appendingPathComponent(fixture.model).path, environment: [:])
        let model = EncoderModel(parameters: try EncoderParameters(checkpoint: checkpoint), threads: 1)
        let batches = fixture.batches.map { $0.map { MaskedSequence(inputIds: $0.input_ids, labels: $0.labels) } }
        let settings = HeadPruningSettings(
            keep: fixture.keep, step: fixture.step, normalise: fixture.normalise, objective: "mlm", sentences: 0,
            maskProbability: 0.15, batchSize: 8, maxLength: 64, seed: 0, model: "", corpus: "")
        var record = HeadPruningRecord(language: name, settings: settings, layers: fixture.layers, heads: fixture.heads)
        var saves = 0
        try HeadPruning.run(&record, evaluate: { try model.evaluateHeads(batches, mask: $0) }, saved: { _ in saves += 1 })

        #expect(record.finished)
        #expect(record.steps.count == fixture.steps.count, "\(name): \(record.steps.count) steps, PyTorch \(fixture.steps.count)")
        var worstLoss = 0.0, worstImportance = 0.0
        for (index, (ours, theirs)) in zip(record.steps, fixture.steps).enumerated() {
            #expect(ours.mask == theirs.mask, "\(name) step \(index) mask")
            #expect(ours.heads == theirs.heads && ours.accepted == theirs.accepted, "\(name) step \(index)")
            #expect(ours.correct == theirs.correct && ours.predicted == theirs.predicted, "\(name) step \(index) accuracy")
            worstLoss = max(worstLoss, abs(ours.loss - theirs.loss_float64) / theirs.loss_float64)
            let reference = theirs.importance_raw_float64.flatMap { $0 }
            let scale = reference.map(abs).max() ?? 1
            let difference = zip(ours.importance.flatMap { $0 }, reference).map { abs($0 - $1) }.max() ?? .infinity
            worstImportance = max(worstImportance, difference / scale)
        }
        #expect(worstLoss <= 1e-5)
        #expect(worstImportance <= 1e-4)
        #expect(record.subnetwork == HeadMask(fixture.final_mask.map { $0.map { $0 != 0 } }))
        #expect(saves >= record.steps.count)
        print("\(name): \(record.steps.count) steps, \(record.subnetwork.count) heads kept; max rel. diff vs PyTorch float64: "
              + "loss \(worstLoss), importance \(worstImportance)")
    }
}
