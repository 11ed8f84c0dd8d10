import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport
@testable import XSNSEngine

/// `compute --objective random-head`: the Fisher of a frozen random classification layer's loss (token
/// level: a label at every non-special token; sequence level: one at the first token) against PyTorch
/// (Tests/FixtureGenerator/gen_random_head.py), both estimators, on the tiny XLM-R and BERT models. Key
/// biases are rounding noise on both sides (their gradient is zero in exact arithmetic): measured against
/// the scale of the whole θ.
struct RandomHeadParityTests {
    struct Cases: Decodable {
        struct Sentence: Decodable { var input_ids: [Int32]; var labels: [Int32] }
        struct Level: Decodable { var sentences: [Sentence] }
        var num_labels: Int
        var batch_size: Int
        var levels: [String: Level]
    }

    @Test(arguments: ["xlmr-tiny", "bert-tiny"], ["token", "sequence"])
    func fisherMatchesPyTorch(model name: String, level: String) throws {
        let folder = Fixtures.url("random-head/\(name)")
        let cases = try JSONDecoder().decode(Cases.self, from: Data(contentsOf: folder.appendingPathComponent("cases.json")))
        let headFile = try SafeTensorsFile(url: folder.appendingPathComponent("head.safetensors"))
        let fixture = try ParityFixture(name)
        let hidden = fixture.model.parameters.config.hiddenSize
        let head = try RandomClassificationHead(
            labels: cases.num_labels, hidden: hidden, level: try #require(.init(rawValue: level)),
            weight: try headFile.floats("weight"), bias: try headFile.floats("bias"))
        let sentences = try #require(cases.levels[level]).sentences
        let masking = MaskingPolicy(probability: 0.15, maskTokenId: fixture.cases.mask_token_id,
                                    vocabularySize: fixture.model.parameters.config.vocabSize, specialTokenIds: [])
        for kind in FisherEstimatorKind.allCases {
            let estimator = try FisherEstimator(model: fixture.model, kind: kind, batchSize: cases.batch_size, masking: masking,
                                                seed: 1, objective: .randomHead(head))
            for sentence in sentences {
                try estimator.feed(masked: MaskedSequence(inputIds: sentence.input_ids, labels: sentence.labels))
            }
            let fisher = try estimator.finish().fisher
            let reference = try SafeTensorsFile(url: folder.appendingPathComponent("fisher_\(level)_\(kind.rawValue).safetensors"))
            let layout = fixture.model.parameters.thetaLayout
            var scale: Float = 0
            for entry in layout.entries { scale = max(scale, try reference.floats(entry.name).map(abs).max() ?? 0) }
            var worst: Float = 0
            for entry in layout.entries {
                let expected = try reference.floats(entry.name)
                let actual = Array(fisher.values[entry.range])
                let difference = zip(expected, actual).map { abs($0 - $1) }.max() ?? 0
                let own = entry.name.hasSuffix("attention.self.key.bias") ? scale : (expected.map(abs).max() ?? 0)
                worst = max(worst, difference / max(own, .leastNormalMagnitude))
            }
            print("\(name) \(level) \(kind): random-head Fisher vs PyTorch, max rel. diff \(worst)")
            #expect(worst <= 1e-4, "\(name) \(level) \(kind)")
        }
    }

    @Test func labelsAreDrawnPerLevelAndSpecialTokensAreSkipped() throws {
        var random = SeededRandom(seed: 3)
        let token = try RandomClassificationHead(labels: 4, hidden: 2, level: .token, seed: 1)
        let labelled = token.label([0, 7, 8, 2], special: [0, 2], random: &random)
        #expect(labelled.labels[0] == MaskedSequence.ignoredLabel && labelled.labels[3] == MaskedSequence.ignoredLabel)
        #expect(labelled.labels[1...2].allSatisfy { (0..<4).contains($0) })
        let sequence = try RandomClassificationHead(labels: 4, hidden: 2, level: .sequence, seed: 1)
        let one = sequence.label([0, 7, 8, 2], special: [0, 2], random: &random)
        #expect((0..<4).contains(one.labels[0]) && one.labels[1...].allSatisfy { $0 == MaskedSequence.ignoredLabel })
        #expect(try RandomClassificationHead(labels: 4, hidden: 2, level: .token, seed: 1).weight == token.weight,
                "the same seed, the same head")
        #expect(throws: InputError.self) { try RandomClassificationHead(labels: 1, hidden: 2, level: .token, seed: 1) }
    }
}
