import Foundation
import Testing
import XSNSEngine
import XSNSStorage
import XSNSTestSupport
import XSNSTraining

/// One transfer-probe run against PyTorch (Tests/FixtureGenerator/gen_probe_parity.py): tag with the task
/// adapter, fine-tune the base model with masked-LM for 4 steps with the adapter switched off (AdamW,
/// linear decay, clipping at 1), tag again. Every base weight after the fine-tune is held to the float64
/// run as the AdamW parity is; the adapter and head must not move; predictions must be identical.
struct ProbeParityTests {
    struct Cases: Decodable {
        struct Settings: Decodable { var steps: Int; var lr: Double; var clip_norm: Double }
        struct Step: Decodable { var step: Int; var lr: Double; var loss: Double; var grad_norm: Double }
        var settings: Settings
        var steps: [Step]
        var predictions_before: [[Int32]]
        var predictions_after: [[Int32]]
        var accuracy_before: Double
        var accuracy_after: Double
    }
    struct Batches: Decodable {
        struct Sequence: Decodable { var input_ids: [Int32]; var labels: [Int32] }
        var batches: [[Sequence]]
    }
    struct Test: Decodable {
        struct Sequence: Decodable { var input_ids: [Int32]; var positions: [Int]; var labels: [Int32] }
        var sequences: [Sequence]
    }

    static func accuracy(_ predictions: [[Int32]], _ test: Test) -> Double {
        let pairs = zip(predictions, test.sequences).flatMap { predicted, sequence in
            zip(sequence.positions, sequence.labels).map { predicted[$0] == $1 }
        }
        return Double(pairs.filter { $0 }.count) / Double(pairs.count)
    }

    @Test(arguments: ["xlmr-tiny", "bert-tiny"])
    func fineTuneWithoutAdapterThenTagWithIt(model name: String) throws {
        let folder = Fixtures.url("probe/parity/\(name)")
        func read<T: Decodable>(_ type: T.Type, _ file: String) throws -> T {
            try JSONDecoder().decode(type, from: Data(contentsOf: folder.appendingPathComponent(file)))
        }
        let cases = try read(Cases.self, "cases.json")
        let test = try read(Test.self, "test.json")
        let batches = try read(Batches.self, "batches.json").batches.map { $0.map { MaskedSequence(inputIds: $0.input_ids, labels: $0.labels) } }
        let (model, head) = try AdapterParityTests.Fixture(name).load()
        let initial = model.parameters.allValues

        let before = try TaggingTrainer.predict(test.sequences.map(\.input_ids), model: model, head: head)
        #expect(before == cases.predictions_before)
        #expect(Self.accuracy(before, test) == cases.accuracy_before)

        model.adaptersEnabled = false
        var optimizer = AdamW.Settings(weightDecay: 0)
        optimizer.epsilon = 1e-8
        let trainer = try MaskedLMTrainer(
            model: model,
            settings: .init(scope: .all, schedule: LinearSchedule(peak: cases.settings.lr, warmupSteps: 0,
                                                                  totalSteps: cases.settings.steps),
                            optimizer: optimizer, clipNorm: cases.settings.clip_norm, dropout: false),
            seed: 1)
        for (batch, expected) in zip(batches, cases.steps) {
            let log = try trainer.step(batch)
            #expect(abs(log.lr - expected.lr) <= 1e-12)
            #expect(abs((log.loss ?? .nan) - expected.loss) <= 1e-5 * expected.loss, "\(name) step \(expected.step) loss")
            #expect(abs(log.gradNorm - expected.grad_norm) <= 1e-4 * expected.grad_norm, "\(name) step \(expected.step)")
        }
        let after = model.parameters.allValues
        try compareWithExactRun(after: after, initial: initial,
                                exact: SafeTensorsFile(url: folder.appendingPathComponent("after.float64.safetensors")),
                                torch: SafeTensorsFile(url: folder.appendingPathComponent("after.safetensors")),
                                label: "\(name) probe fine-tune",
                                keyBiasBound: Float(cases.steps.map(\.lr).reduce(0, +)) * 1.01)
        for range in model.parameters.range(of: .adapters) {
            #expect(after.values[range] == initial.values[range], "\(name): the adapter moved during the fine-tune")
        }

        model.adaptersEnabled = true
        let predicted = try TaggingTrainer.predict(test.sequences.map(\.input_ids), model: model, head: head)
        #expect(predicted == cases.predictions_after)
        #expect(Self.accuracy(predicted, test) == cases.accuracy_after)
        print("\(name): accuracy \(cases.accuracy_before) → \(Self.accuracy(predicted, test)) (PyTorch \(cases.accuracy_after))")
    }
}
