import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport
@testable import XSNSEngine

/// Streaming behaviour of the estimators: resuming from a snapshot is bit-identical, units without a
/// predicted token are not counted.
struct FisherEstimatorTests {
    static func sentences() -> [[Int32]] {
        var random = SeededRandom(seed: 21)
        return (0..<11).map { _ in [0] + (0..<(3 + random.nextInt(below: 6))).map { _ in Int32(5 + random.nextInt(below: 8)) } + [2] }
    }

    static func estimator(_ kind: FisherEstimatorKind, threads: Int = 1) throws -> FisherEstimator {
        let model = try EncoderGradientTests.tinyModel("xlm-roberta")
        model.threads = threads
        let masking = MaskingPolicy(probability: 0.3, maskTokenId: 4, vocabularySize: 13, specialTokenIds: [0, 1, 2, 3, 4])
        return try FisherEstimator(model: model, kind: kind, batchSize: 4, masking: masking, seed: 42)
    }

    @Test(arguments: FisherEstimatorKind.allCases, [1, 2])
    func resumingFromASnapshotIsBitIdentical(kind: FisherEstimatorKind, threads: Int) throws {
        let all = Self.sentences()
        let straight = try Self.estimator(kind, threads: threads)
        let fed = try all.map { try straight.feed($0) }
        let expected = try straight.finish()

        let interrupted = try Self.estimator(kind, threads: threads)
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

        let resumed = try Self.estimator(kind, threads: threads)
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
