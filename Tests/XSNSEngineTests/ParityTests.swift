import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport
@testable import XSNSEngine

/// One parity fixture folder: the checkpoint loaded into the Swift model, the recorded inputs and the
/// PyTorch results.
struct ParityFixture {
    struct Cases: Decodable {
        struct Sentence: Decodable {
            var ids: [Int32]
            var input_ids: [Int32]
            var labels: [Int32]
            var masked: MaskedSequence { MaskedSequence(inputIds: input_ids, labels: labels) }
        }
        var batch_size: Int
        var mask_token_id: Int32
        var sentences: [Sentence]
        var loss_single: Double
        var loss_batch: Double
        var xsns_batches: Int
        var exact_sentences: Int
        var mean_pooled_sentence0: [Float]
    }

    let folder: URL
    let cases: Cases
    let model: EncoderModel

    init(_ name: String, threads: Int = 1) throws {
        folder = Fixtures.url("parity/\(name)")
        cases = try JSONDecoder().decode(Cases.self, from: Data(contentsOf: folder.appendingPathComponent("cases.json")))
        let checkpoint = try Checkpoint(ModelResolver.resolve(folder.path))
        model = EncoderModel(parameters: try EncoderParameters(checkpoint: checkpoint), threads: threads)
    }

    /// Prints max|Δ| / max|ref| per tensor and returns the worst. The attention key bias has an
    /// analytically zero gradient (softmax ignores a per-row shift), so both sides are rounding noise
    /// there: it is measured against the scale of the whole θ instead of its own.
    func compare(_ file: String, theta: [Float], heads: [Float]) throws -> Float {
        let reference = try SafeTensorsFile(url: folder.appendingPathComponent(file))
        let layout = model.parameters.thetaLayout
        var thetaScale: Float = 0
        for entry in layout.entries {
            thetaScale = max(thetaScale, try reference.floats(entry.name).map(abs).max() ?? 0)
        }
        var worst: Float = 0
        var report: [String] = []
        let tensors = layout.entries.map { ($0.name, Array(theta[$0.range])) }
            + [(FisherEstimator.headImportanceName, heads)]
        for (name, actual) in tensors {
            let expected = try reference.floats(name)
            try #require(expected.count == actual.count, "size of \(name)")
            let difference = zip(expected, actual).map { abs($0 - $1) }.max() ?? 0
            let scale = name.hasSuffix("attention.self.key.bias") ? thetaScale : (expected.map(abs).max() ?? 0)
            let relative = difference / max(scale, .leastNormalMagnitude)
            worst = max(worst, relative)
            report.append("  \(name): \(relative)")
        }
        print("\(folder.lastPathComponent)/\(file): worst max|Δ|/max|ref| = \(worst)\n" + report.joined(separator: "\n"))
        return worst
    }

    func gradient(of sentences: [MaskedSequence]) throws -> (loss: Double, theta: [Float], heads: [Float]) {
        let config = model.parameters.config
        var theta = [Float](repeating: .nan, count: model.parameters.thetaLayout.totalCount)
        var heads = [Float](repeating: 0, count: config.numLayers * config.numHeads)
        var random = SeededRandom(seed: 1)
        let loss = try model.lossAndGradient(sentences, dropout: false, random: &random, gradient: &theta,
                                             headGateGradient: &heads)
        return (try #require(loss), theta, heads)
    }
}

/// The Swift encoder against PyTorch + transformers on the tiny random models written by
/// `Tests/FixtureGenerator/gen_parity.py`: loss, every θ gradient, both Fisher estimators and the head
/// importance, each tensor within 1e-4 of the reference's largest magnitude.
struct ParityTests {
    static let tolerance: Float = 1e-4
    static let models = ["xlmr-tiny", "bert-tiny"]

    @Test(arguments: models)
    func singleSentenceGradient(name: String) throws {
        let parity = try ParityFixture(name)
        let result = try parity.gradient(of: [parity.cases.sentences[0].masked])
        #expect(abs(result.loss - parity.cases.loss_single) <= 1e-5 * abs(parity.cases.loss_single))
        #expect(try parity.compare("gradient_single.safetensors", theta: result.theta, heads: result.heads)
            <= Self.tolerance)
    }

    /// Hugging Face pads the batch and masks attention; the Swift side packs the sequences unpadded.
    @Test(arguments: models)
    func paddedBatchGradient(name: String) throws {
        let parity = try ParityFixture(name)
        let batch = parity.cases.sentences.prefix(parity.cases.batch_size).map(\.masked)
        let result = try parity.gradient(of: batch)
        #expect(abs(result.loss - parity.cases.loss_batch) <= 1e-5 * abs(parity.cases.loss_batch))
        #expect(try parity.compare("gradient_batch.safetensors", theta: result.theta, heads: result.heads)
            <= Self.tolerance)
    }

    /// Run with two threads: every kernel split (rows, features, heads) must give the same result.
    @Test(arguments: models, FisherEstimatorKind.allCases)
    func fisher(name: String, kind: FisherEstimatorKind) throws {
        let parity = try ParityFixture(name, threads: 2)
        let masking = MaskingPolicy(maskTokenId: parity.cases.mask_token_id,
                                    vocabularySize: parity.model.parameters.config.vocabSize, specialTokenIds: [])
        let estimator = try FisherEstimator(model: parity.model, kind: kind, batchSize: parity.cases.batch_size,
                                            masking: masking, seed: 3)
        for sentence in parity.cases.sentences { try estimator.feed(masked: sentence.masked) }
        let result = try estimator.finish()
        #expect(result.progress.gradientUnits == (kind == .xsns ? parity.cases.xsns_batches : parity.cases.exact_sentences))
        #expect(result.progress.sentences == parity.cases.sentences.count)
        #expect(try parity.compare("fisher_\(kind.rawValue).safetensors", theta: result.fisher.values,
                                   heads: result.headImportance.values) <= Self.tolerance)
    }

    @Test(arguments: models)
    func meanPooledLastHiddenState(name: String) throws {
        let parity = try ParityFixture(name)
        let pooled = try parity.model.meanPooledLastHiddenState(parity.cases.sentences[0].ids)
        let expected = parity.cases.mean_pooled_sentence0
        let difference = zip(pooled, expected).map { abs($0 - $1) }.max() ?? .infinity
        let scale = expected.map(abs).max() ?? 0
        #expect(pooled.count == expected.count)
        #expect(difference <= Self.tolerance * scale)

        // Packed with other sentences, the first one's pooled state is unchanged.
        let packed = try parity.model.meanPooledLastHiddenStates(parity.cases.sentences.map(\.ids))
        #expect(packed.count == parity.cases.sentences.count)
        #expect(zip(packed[0], pooled).allSatisfy { abs($0 - $1) <= 1e-6 * scale })
        let alone = try parity.model.meanPooledLastHiddenState(parity.cases.sentences[3].ids)
        #expect(zip(alone, packed[3]).allSatisfy { abs($0 - $1) <= 1e-6 * scale })
    }
}
