import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport
@testable import XSNSEngine

/// Streaming behaviour of the estimators: resuming from a snapshot is bit-identical, units without a
/// predicted token are not counted, units packed into one pass keep their own gradients.
struct FisherEstimatorTests {
    static func sentences() -> [[Int32]] {
        var random = SeededRandom(seed: 21)
        return (0..<11).map { _ in [0] + (0..<(3 + random.nextInt(below: 6))).map { _ in Int32(5 + random.nextInt(below: 8)) } + [2] }
    }

    /// A pass budget that closes a pass at every batch boundary (these sentences predict 1–3 tokens each).
    static let passPerBatch = PassBudget(predictedTokens: 1, rows: 1, sentences: 1)

    static func estimator(_ kind: FisherEstimatorKind, threads: Int = 1, batchSize: Int = 4, dropout: Bool = true,
                          budget: PassBudget = PassBudget()) throws -> FisherEstimator {
        let model = try EncoderGradientTests.tinyModel("xlm-roberta", dropout: dropout)
        model.threads = threads
        let masking = MaskingPolicy(probability: 0.3, maskTokenId: 4, vocabularySize: 13, specialTokenIds: [0, 1, 2, 3, 4])
        let estimator = try FisherEstimator(model: model, kind: kind, batchSize: batchSize, masking: masking, seed: 42)
        estimator.passBudget = budget
        return estimator
    }

    /// With the default budget all eleven sentences make one pass at `finish`; with `passPerBatch` the
    /// snapshot falls between passes' work (two sentences pending).
    @Test(arguments: FisherEstimatorKind.allCases, [1, 2])
    func resumingFromASnapshotIsBitIdentical(kind: FisherEstimatorKind, threads: Int) throws {
        for budget in [PassBudget(), Self.passPerBatch] {
            try resumeIsBitIdentical(kind: kind, threads: threads, budget: budget)
        }
    }

    func resumeIsBitIdentical(kind: FisherEstimatorKind, threads: Int, budget: PassBudget) throws {
        let all = Self.sentences()
        let straight = try Self.estimator(kind, threads: threads, budget: budget)
        let fed = try all.map { try straight.feed($0) }
        let expected = try straight.finish()

        let interrupted = try Self.estimator(kind, threads: threads, budget: budget)
        for ids in all.prefix(6) { try interrupted.feed(ids) }  // stops inside the second batch
        let snapshot = interrupted.snapshot()

        // Through the forms a driver stores: JSON state, safetensors accumulators.
        let folder = try Fixtures.temporaryDirectory()
        let file = folder.appendingPathComponent("snapshot.safetensors")
        try SafeTensorsWriter.write(snapshot.accumulators, metadata: [:], to: file)
        let stored = try SafeTensorsFile(url: file)
        var accumulators = snapshot.accumulators
        for entry in accumulators.layout.entries {
            accumulators.values.replaceSubrange(entry.range, with: try stored.floats(entry.name))
        }
        let state = try JSONDecoder().decode(FisherEstimatorSnapshot.State.self,
                                             from: JSONEncoder().encode(snapshot.state))
        #expect(state == snapshot.state)

        #expect(state.pending.count == (budget == PassBudget() ? 6 : 2))
        let resumed = try Self.estimator(kind, threads: threads, budget: budget)
        try resumed.restore(FisherEstimatorSnapshot(state: state, accumulators: accumulators))
        #expect(resumed.progress == snapshot.state.progress)
        for ids in all.dropFirst(6) { try resumed.feed(ids) }
        let result = try resumed.finish()
        #expect(result.progress == expected.progress)
        #expect(result.fisher.values == expected.fisher.values)
        #expect(result.headImportance.values == expected.headImportance.values)
        let predicting = fed.filter { $0.masked.predictedCount > 0 }
        #expect(expected.progress.gradientUnits
            == (kind == .xsns ? Set(predicting.compactMap(\.batch)).count : predicting.count))
        #expect(expected.fisher.values.contains { $0 > 0 })
    }

    /// Sentence pairs: a snapshot taken inside a batch keeps the pending sentences' token types.
    @Test(arguments: FisherEstimatorKind.allCases)
    func resumingKeepsTokenTypes(kind: FisherEstimatorKind) throws {
        let all = Self.sentences()
        func types(_ ids: [Int32]) -> [Int32] { ids.indices.map { $0 < ids.count / 2 ? 0 : 1 } }
        let straight = try Self.estimator(kind)
        for ids in all { try straight.feed(ids, types: types(ids)) }
        let expected = try straight.finish()
        let untyped = try Self.estimator(kind)
        for ids in all { try untyped.feed(ids) }
        #expect(try untyped.finish().fisher.values != expected.fisher.values, "types must change the Fisher")

        let interrupted = try Self.estimator(kind)
        for ids in all.prefix(6) { try interrupted.feed(ids, types: types(ids)) }
        let state = try JSONDecoder().decode(FisherEstimatorSnapshot.State.self,
                                             from: JSONEncoder().encode(interrupted.snapshot().state))
        #expect(state.pending.allSatisfy { $0.typeIds != nil })
        let resumed = try Self.estimator(kind)
        try resumed.restore(FisherEstimatorSnapshot(state: state, accumulators: interrupted.snapshot().accumulators))
        for ids in all.dropFirst(6) { try resumed.feed(ids, types: types(ids)) }
        #expect(try resumed.finish().fisher.values == expected.fisher.values)
    }

    @Test(arguments: FisherEstimatorKind.allCases)
    func unitsWithoutPredictedTokensAreNotCounted(kind: FisherEstimatorKind) throws {
        let estimator = try Self.estimator(kind)
        for _ in 0..<5 { try estimator.feed([0, 3, 2]) }  // only special tokens: nothing can be selected
        let result = try estimator.finish()
        #expect(result.progress.sentences == 5)
        #expect(result.progress.maskedTokens == 0)
        #expect(result.progress.gradientUnits == 0)
        #expect(result.fisher.values.allSatisfy { $0 == 0 })
        #expect(result.fisher.layout == estimator.model.parameters.thetaLayout)
    }

    @Test func xsnsRecordsBatchIndices() throws {
        let estimator = try Self.estimator(.xsns)
        let batches = try Self.sentences().map { try estimator.feed($0).batch }
        #expect(batches == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2])
        #expect(try Self.estimator(.exact).feed([0, 5, 2]).batch == nil)
    }

    @Test func snapshotFromOtherSettingsIsRejected() throws {
        let xsns = try Self.estimator(.xsns)
        #expect(throws: InputError.self) { try Self.estimator(.exact).restore(xsns.snapshot()) }
        for ids in Self.sentences().prefix(8) { try xsns.feed(ids) }
        let pending = xsns.snapshot()
        #expect(pending.state.pending.count == 8)
        // Eight pending sentences are a whole pass for an estimator that runs one per batch.
        #expect(throws: InputError.self) { try Self.estimator(.xsns, budget: Self.passPerBatch).restore(pending) }
    }

    /// Units packed into one pass get their own gradients and (xsns) their own dropout streams: the same
    /// Fisher, head importance and losses as one pass per unit (to float rounding: the GEMMs see other
    /// row counts), with the model's dropout or without.
    @Test(arguments: FisherEstimatorKind.allCases, [false, true])
    func packedUnitsMatchOnePassPerUnit(kind: FisherEstimatorKind, dropout: Bool) throws {
        // exact: batch size 1 makes every sentence its own pass; xsns: every batch of four.
        let alone = try Self.estimator(kind, batchSize: kind == .exact ? 1 : 4, dropout: dropout, budget: Self.passPerBatch)
        let packed = try Self.estimator(kind, dropout: dropout)
        for ids in Self.sentences() {
            try alone.feed(ids)
            try packed.feed(ids)
            #expect(packed.snapshot().state.progress.gradientUnits == 0, "the default budget packs all into one pass")
        }
        let expected = try alone.finish(), result = try packed.finish()
        #expect(result.progress.gradientUnits == expected.progress.gradientUnits)
        #expect(result.progress.gradientUnits > 1)
        #expect(abs(result.progress.lossSum - expected.progress.lossSum) <= 1e-6 * abs(expected.progress.lossSum))
        for (values, reference) in [(result.fisher.values, expected.fisher.values),
                                    (result.headImportance.values, expected.headImportance.values)] {
            let scale = reference.map(abs).max() ?? 0
            #expect(scale > 0)
            let difference = zip(values, reference).map { abs($0 - $1) }.max() ?? .infinity
            print("packed \(kind) pass (dropout \(dropout)) against one pass per unit: max diff \(difference) (scale \(scale))")
            #expect(difference <= 1e-5 * scale)
        }
    }
}

extension FisherEstimatorTests {
    @Test func badSentenceIsRejectedWithoutChangingTheState() throws {
        let estimator = try Self.estimator(.xsns)
        try estimator.feed([0, 5, 6, 2])
        let before = estimator.snapshot().state
        #expect(throws: InputError.self) { try estimator.feed([0, 13, 2]) }  // vocabulary has 13 ids
        #expect(throws: InputError.self) { try estimator.feed([]) }
        #expect(throws: InputError.self) {
            try estimator.feed(masked: MaskedSequence(inputIds: [0, 5, 2], labels: [-100, 40, -100]))
        }
        #expect(estimator.snapshot().state == before)
    }
}
