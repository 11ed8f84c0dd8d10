import Foundation
import Testing
import XSNSEngine
import XSNSStorage
import XSNSTraining

/// Every parameter's gradient and every AdamW step against PyTorch + transformers on tiny XLM-R and BERT
/// models (fixtures from Tests/FixtureGenerator/gen_training.py).
struct AdamWParityTests {
    @Test(arguments: ["xlmr-tiny", "bert-tiny"])
    func firstStepGradientOfEveryParameter(model name: String) throws {
        let fixture = try TrainingFixture(name)
        let model = try fixture.model()
        let parameters = model.parameters
        var gradient = [Float](repeating: 0, count: parameters.layout.totalCount)
        var random = SeededRandom(seed: 1)
        let loss = try gradient.withUnsafeMutableBufferPointer { buffer in
            try model.maskedLMLossAndGradient(fixture.batches[0], groups: TrainingScope.all.groups, dropout: false,
                                              random: &random, gradient: buffer.baseAddress!)
        }
        let expectedLoss = fixture.cases.cases[0].log[0].loss
        print("\(name) step-1 loss \(loss ?? .nan) vs \(expectedLoss)")
        #expect(abs((loss ?? .nan) - expectedLoss) <= 1e-5 * abs(expectedLoss))
        let worst = try worstRelativeDifference(
            actual: FlatTensors(layout: parameters.layout, values: gradient),
            reference: fixture.reference("gradients_step1.safetensors"), baseline: nil,
            label: "\(name) step-1 gradients")
        #expect(worst <= 1e-4)
    }

    @Test(arguments: ["xlmr-tiny", "bert-tiny"])
    func fiveStepsOfEveryCase(model name: String) throws {
        let fixture = try TrainingFixture(name)
        for reference in fixture.cases.cases {
            let model = try fixture.model()
            let initial = model.parameters.allValues
            let scope = try #require(TrainingScope(rawValue: reference.train))
            var optimizer = AdamW.Settings(weightDecay: reference.weight_decay)
            optimizer.epsilon = 1e-8
            let trainer = try MaskedLMTrainer(
                model: model,
                settings: .init(scope: scope,
                                schedule: LinearSchedule(peak: reference.lr, warmupSteps: reference.warmup_steps,
                                                         totalSteps: fixture.cases.steps),
                                optimizer: optimizer, clipNorm: reference.clip_norm, dropout: false),
                seed: 1)
            for (batch, expected) in zip(fixture.batches, reference.log) {
                let log = try trainer.step(batch)
                let label = "\(name) \(reference.name) step \(expected.step)"
                #expect(log.step == expected.step)
                #expect(abs(log.lr - expected.lr) <= 1e-12, "\(label) lr \(log.lr) vs \(expected.lr)")
                #expect(abs((log.loss ?? .nan) - expected.loss) <= 1e-5 * abs(expected.loss),
                        "\(label) loss \(log.loss ?? .nan) vs \(expected.loss)")
                #expect(abs(log.gradNorm - expected.grad_norm) <= 1e-4 * expected.grad_norm,
                        "\(label) grad norm \(log.gradNorm) vs \(expected.grad_norm)")
            }
            let learningRateSum = Float(reference.log.map(\.lr).reduce(0, +))
            try compareWithExactRun(after: model.parameters.allValues, initial: initial,
                                    exact: fixture.reference(reference.file_float64), torch: fixture.reference(reference.file),
                                    label: "\(fixture.name) \(reference.name)",
                                    keyBiasBound: learningRateSum * 1.01)
        }
    }
}
