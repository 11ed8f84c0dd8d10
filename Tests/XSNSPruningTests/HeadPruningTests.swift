import Testing
import XSNSAnalysis
import XSNSPruning
import XSNSTestSupport

/// The pruning loop's pieces on their own: which heads a step switches off (every mask of 6 heads), the
/// per-layer normalisation, where the loop stops, and that a run stopped between steps resumes to the same
/// record without evaluating a finished step again.
struct HeadPruningTests {
    @Test(arguments: [0.1, 0.25, 0.5, 0.9])
    func eachStepSwitchesOffTheLeastImportantRemainingHeads(step: Double) {
        var random = SystemRandomNumberGenerator()
        for bits in 0..<(1 << 6) {
            let mask = (0..<6).map { bits & (1 << $0) != 0 }
            // Ties included: importance drawn from three values.
            let importance = (0..<6).map { _ in [0.0, 0.5, 1.0].randomElement(using: &random)! }
            let remaining = mask.filter { $0 }.count
            let expected = max(1, Int(Double(remaining) * step + 1e-9))
            guard let off = HeadPruning.headsToSwitchOff(mask: mask, importance: importance, step: step) else {
                #expect(remaining - expected < 1, "mask \(mask): nil although heads would be left")
                continue
            }
            #expect(off.count == expected && remaining - expected >= 1)
            #expect(off.allSatisfy { mask[$0] }, "only heads still on are switched off")
            let kept = mask.indices.filter { mask[$0] && !off.contains($0) }
            for o in off {
                for k in kept { #expect((importance[o], o) < (importance[k], k), "\(o) switched off before \(k)") }
            }
        }
    }

    @Test func normalisationMakesEachLayerAUnitVector() {
        let raw = [3.0, 4.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]
        let normalised = HeadPruning.normalisedPerLayer(raw, heads: 4)
        #expect(normalised[0..<4] == [0.6, 0.8, 0, 0])
        #expect(normalised[4..<8].allSatisfy { abs($0 - 0.5) < 1e-15 })
        #expect(normalised[8..<12].allSatisfy { $0 == 0 }, "an all-zero layer stays zero")
        let scaled = HeadPruning.normalisedPerLayer(raw.map { $0 * 1000 }, heads: 4)
        #expect(zip(scaled, normalised).allSatisfy { abs($0 - $1) < 1e-12 }, "the scale of importance does not matter")
    }

    /// A model whose accuracy falls by 0.02 per head switched off and whose importance is the head's index
    /// in reverse, so heads go 11, 10, 9, … one per step (step 0.1 of ≤ 12 heads).
    static func evaluate(_ mask: [Bool]) -> HeadEvaluation {
        let off = mask.filter { !$0 }.count
        return HeadEvaluation(correct: 1000 - 20 * off, predicted: 1000, loss: Double(off),
                              importance: mask.indices.map { Double(mask.count - $0) })
    }

    static func record(keep: Double) -> HeadPruningRecord {
        HeadPruningRecord(language: "xx", settings: HeadPruningSettings(
            keep: keep, step: 0.1, normalise: false, objective: "mlm", sentences: 1, maskProbability: 0.15,
            batchSize: 1, maxLength: 8, seed: 1, model: "m", corpus: "c"), layers: 3, heads: 4)
    }

    @Test func stopsBeforeAccuracyFallsBelowKeep() throws {
        var record = Self.record(keep: 0.9)
        try HeadPruning.run(&record, evaluate: Self.evaluate, saved: { _ in })
        // 0.9 × 1.0: five heads off (0.90) is kept, the sixth (0.88) is not.
        #expect(record.stop == HeadPruningRecord.StopReason.belowKeep.rawValue)
        #expect(record.steps.map(\.heads) == [12, 11, 10, 9, 8, 7, 6])
        #expect(record.steps.map(\.accepted) == [true, true, true, true, true, true, false])
        #expect(record.subnetwork.count == 7)
        #expect(record.subnetwork.used.flatMap { $0 } == (0..<12).map { $0 >= 7 ? false : true })
    }

    @Test func neverSwitchesOffTheLastHead() throws {
        var record = Self.record(keep: 0.01)
        try HeadPruning.run(&record, evaluate: Self.evaluate, saved: { _ in })
        #expect(record.stop == HeadPruningRecord.StopReason.oneStepFromNoHeads.rawValue)
        #expect(record.steps.last?.heads == 1 && record.subnetwork.count == 1)
    }

    @Test(arguments: 0..<8)
    func aRunStoppedBetweenStepsResumesToTheSameRecord(stopAfter evaluations: Int) throws {
        var whole = Self.record(keep: 0.9)
        try HeadPruning.run(&whole, evaluate: Self.evaluate, saved: { _ in })

        var partial = Self.record(keep: 0.9)
        var calls = 0
        let finished = try HeadPruning.run(&partial, evaluate: { calls += 1; return Self.evaluate($0) }, saved: { _ in },
                                           shouldStop: { calls >= evaluations })
        #expect(finished == (evaluations >= whole.steps.count))
        #expect(partial.steps == Array(whole.steps.prefix(partial.steps.count)))
        var resumedCalls = 0
        try HeadPruning.run(&partial, evaluate: { resumedCalls += 1; return Self.evaluate($0) }, saved: { _ in })
        #expect(partial == whole)
        #expect(calls + resumedCalls == whole.steps.count, "no step is evaluated twice")
    }
}
