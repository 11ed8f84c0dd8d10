import Foundation
import Testing
import XSNSEngine
import XSNSTraining

/// Sparse fine-tuning: with an update mask, every masked-out parameter stays bit-identical (no gradient
/// step, no weight decay), while the kept ones move exactly as without a mask.
struct SparseUpdateTests {
    @Test(arguments: ["xlmr-tiny", "bert-tiny"])
    func maskedOutParametersNeverMove(model name: String) throws {
        let fixture = try TrainingFixture(name)
        let model = try fixture.model()
        let initial = model.parameters.allValues.values
        let theta = model.parameters.range(of: .theta)[0]
        // Keep every third θ parameter; nothing outside θ (the scope trains θ only).
        var keep = [UInt8](repeating: 0, count: initial.count)
        for i in theta where i % 3 == 0 { keep[i] = 1 }
        let settings = MaskedLMTrainer.Settings(
            scope: .theta, schedule: LinearSchedule(peak: 1e-3, warmupSteps: 0, totalSteps: 5),
            optimizer: AdamW.Settings(weightDecay: 0.1), clipNorm: 1, dropout: false)
        let trainer = try MaskedLMTrainer(model: model, settings: settings, seed: 1, updateMask: keep)
        for batch in fixture.batches { try trainer.step(batch) }
        let after = model.parameters.allValues.values
        var moved = 0
        for i in initial.indices {
            if keep[i] == 0 {
                #expect(after[i].bitPattern == initial[i].bitPattern, "masked-out parameter \(i) moved")
            } else if after[i] != initial[i] {
                moved += 1
            }
        }
        let kept = keep.filter { $0 == 1 }.count
        print("\(name): \(moved) of \(kept) kept θ parameters moved; every other parameter bit-identical")
        #expect(moved > kept * 9 / 10)
    }
}
