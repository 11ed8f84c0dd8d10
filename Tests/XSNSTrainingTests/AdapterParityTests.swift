import Foundation
import Testing
import XSNSEngine
import XSNSStorage
import XSNSTestSupport
import XSNSTraining

/// Bottleneck adapters (AdapterHub `seq_bn`) and the token-classification head against the real
/// AdapterHub library's numbers (fixtures from Tests/FixtureGenerator/gen_adapters.py, checked there
/// against `adapters` 1.3.0 bit for bit).
struct AdapterParityTests {
    struct Cases: Decodable {
        struct Sentence: Decodable {
            var input_ids: [Int32]
            var labels: [Int32]
            var mlm_input_ids: [Int32]
            var mlm_labels: [Int32]
        }
        struct Batch: Decodable {
            var loss: Double
            var loss_without_adapters: Double
            var predictions: [[Int32]]
            var mlm_loss: Double
            var mlm_loss_without_adapters: Double
        }
        struct Training: Decodable {
            struct Step: Decodable {
                var step: Int
                var batch: Int
                var loss: Double
                var lr: Double
                var grad_norm: Double
            }
            var lr: Double
            var total_steps: Int
            var steps: [Step]
            var loss_batch0_after: Double
        }
        var batch_size: Int
        var sentences: [Sentence]
        var batches: [Batch]
        var logits_batch0_sentence0: [Float]
        var training: Training
    }

    struct Fixture {
        let folder: URL
        let cases: Cases
        let name: String

        init(_ name: String) throws {
            self.name = name
            folder = Fixtures.url("adapters/\(name)")
            cases = try JSONDecoder().decode(Cases.self, from: Data(contentsOf: folder.appendingPathComponent("cases.json")))
        }

        func file(_ name: String) throws -> SafeTensorsFile { try SafeTensorsFile(url: folder.appendingPathComponent(name)) }

        /// The parity checkpoint with the fixture's adapter, and its head.
        func load(adapters: Bool = true) throws -> (EncoderModel, TokenClassificationHead) {
            let checkpoint = try Checkpoint.open(Fixtures.url("parity/\(name)").path, environment: [:])
            let weights = try file("adapter.safetensors")
            let parameters = try EncoderParameters(
                checkpoint: checkpoint, adapter: adapters ? AdapterSpec(name: "task") : nil,
                adapterWeights: { weights.info($0) == nil ? nil : try weights.floats($0) })
            let head = try TokenClassificationHead(tensor: { weights.info($0) == nil ? nil : try weights.floats($0) },
                                                   hidden: checkpoint.config.hiddenSize)
            return (EncoderModel(parameters: parameters, threads: 1), head)
        }

        func batch(_ index: Int, mlm: Bool = false) -> [MaskedSequence] {
            cases.sentences[(index * cases.batch_size)..<((index + 1) * cases.batch_size)].map {
                mlm ? MaskedSequence(inputIds: $0.mlm_input_ids, labels: $0.mlm_labels)
                    : MaskedSequence(inputIds: $0.input_ids, labels: $0.labels)
            }
        }
    }

    static func relative(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-30) }

    @Test(arguments: ["xlmr-tiny", "bert-tiny"])
    func forwardLossesLogitsAndPredictions(model name: String) throws {
        let fixture = try Fixture(name)
        let (model, head) = try fixture.load()
        let (plain, _) = try fixture.load(adapters: false)
        for (index, expected) in fixture.cases.batches.enumerated() {
            let batch = fixture.batch(index)
            var random = SeededRandom(seed: 0)
            let pass = try model.encode(batch.map(\.inputIds), dropout: false, random: &random)
            var hiddenGradient = [Float](repeating: 0, count: pass.rows * head.hidden)
            let loss = try #require(head.lossAndGradient(
                hidden: pass.lastHidden, rows: pass.rows, labels: batch.flatMap(\.labels), dropout: false,
                random: &random, hiddenGradient: &hiddenGradient, parameterGradient: nil))
            print("\(name) batch \(index): tagging loss \(loss) vs \(expected.loss)")
            #expect(Self.relative(loss, expected.loss) <= 1e-5)
            if index == 0 {
                let logits = head.logits(hidden: pass.lastHidden, rows: batch[0].inputIds.count)
                let scale = fixture.cases.logits_batch0_sentence0.map(abs).max() ?? 1
                let worst = zip(logits, fixture.cases.logits_batch0_sentence0).map { abs($0 - $1) }.max() ?? 0
                #expect(worst / scale <= 1e-5, "logits differ by \(worst)")
            }
            #expect(try TaggingTrainer.predict(batch.map(\.inputIds), model: model, head: head) == expected.predictions)

            let mlm = fixture.batch(index, mlm: true)
            var gradient = [Float](repeating: 0, count: model.parameters.layout.totalCount)
            let mlmLoss = try #require(try model.maskedLMLossAndGradient(
                mlm, groups: [], dropout: false, random: &random, gradient: &gradient))
            #expect(Self.relative(mlmLoss, expected.mlm_loss) <= 1e-5, "MLM loss with adapters \(mlmLoss)")
            var plainGradient = [Float](repeating: 0, count: plain.parameters.layout.totalCount)
            let plainLoss = try #require(try plain.maskedLMLossAndGradient(
                mlm, groups: [], dropout: false, random: &random, gradient: &plainGradient))
            #expect(Self.relative(plainLoss, expected.mlm_loss_without_adapters) <= 1e-5)
        }
    }

    /// Gradients of the tagging loss: adapters and head with the base frozen, then every parameter.
    @Test(arguments: ["xlmr-tiny", "bert-tiny"], ["frozen", "full"])
    func gradients(model name: String, base: String) throws {
        let fixture = try Fixture(name)
        let (model, head) = try fixture.load()
        let batch = fixture.batch(0)
        let groups: Set<ParameterGroup> = base == "frozen" ? [.adapters] : [.embeddings, .theta, .adapters]
        var random = SeededRandom(seed: 0)
        let pass = try model.encode(batch.map(\.inputIds), dropout: false, random: &random)
        var hiddenGradient = [Float](repeating: 0, count: pass.rows * head.hidden)
        var headGradient = [Float](repeating: 0, count: head.layout.totalCount)
        _ = head.lossAndGradient(hidden: pass.lastHidden, rows: pass.rows, labels: batch.flatMap(\.labels),
                                 dropout: false, random: &random, hiddenGradient: &hiddenGradient,
                                 parameterGradient: &headGradient)
        var gradient = [Float](repeating: 0, count: model.parameters.layout.totalCount)
        model.backward(pass, lastHiddenGradient: hiddenGradient, groups: groups, gradient: &gradient)

        var layout = model.parameters.layout
        for entry in head.layout.entries { layout.append(name: entry.name, shape: entry.shape) }
        let worst = try worstRelativeDifference(
            actual: FlatTensors(layout: layout, values: gradient + headGradient),
            reference: fixture.file("gradients_\(base).safetensors"), baseline: nil,
            label: "\(name) tagging gradients, base \(base)")
        #expect(worst <= 1e-4)
    }

    @Test(arguments: ["xlmr-tiny", "bert-tiny"])
    func adamWStepsOnAdaptersAndHead(model name: String) throws {
        let fixture = try Fixture(name)
        let (model, head) = try fixture.load()
        let initialBase = model.parameters.allValues
        let training = fixture.cases.training
        let trainer = TaggingTrainer(
            model: model, head: head,
            settings: .init(scope: .adapters,
                            schedule: LinearSchedule(peak: training.lr, warmupSteps: 0, totalSteps: training.total_steps),
                            optimizer: AdamW.Settings(weightDecay: 0), clipNorm: 0, dropout: false),
            seed: 1)
        for expected in training.steps {
            let log = try trainer.step(fixture.batch(expected.batch))
            #expect(abs(log.lr - expected.lr) <= 1e-12)
            #expect(Self.relative(log.loss ?? .nan, expected.loss) <= 1e-5, "step \(expected.step) loss \(log.loss ?? .nan)")
            #expect(Self.relative(log.gradNorm, expected.grad_norm) <= 1e-4)
        }
        let after = model.parameters.allValues
        for entry in initialBase.layout.entries where !entry.name.contains(".adapters.") {
            #expect(after.values[entry.range] == initialBase.values[entry.range], "frozen \(entry.name) moved")
        }
        var layout = after.layout
        for entry in head.layout.entries { layout.append(name: entry.name, shape: entry.shape) }
        let adapterFile = try fixture.file("adapter.safetensors")
        let baseline = FlatTensors(layout: layout, values: initialBase.values + (try adapterFile.floats(TokenClassificationHead.weightName))
            + (try adapterFile.floats(TokenClassificationHead.biasName)))
        let worst = try worstRelativeDifference(
            actual: FlatTensors(layout: layout, values: after.values + head.tensors.values),
            reference: fixture.file("adamw.safetensors"), baseline: baseline,
            label: "\(name) adapters + head after \(training.steps.count) AdamW steps")
        #expect(worst <= 1e-4)
    }
}
