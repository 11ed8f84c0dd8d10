import Testing
@testable import XSNSEngine

/// The whole encoder + MLM head against finite differences of its own loss, on a tiny random model.
struct EncoderGradientTests {
    /// `dropout: false`: a config without dropout, so passes that draw it run as with it off.
    static func tinyModel(_ modelType: String, dropout: Bool = true) throws -> EncoderModel {
        let config = try EncoderConfig(
            modelType: modelType, vocabSize: 13, hiddenSize: 6, numLayers: 2, numHeads: 3, intermediateSize: 10,
            layerNormEps: 1e-5, maxPositionEmbeddings: 12, typeVocabSize: 2, padTokenId: 1,
            hiddenDropout: dropout ? 0.2 : 0, attentionDropout: dropout ? 0.3 : 0)
        return EncoderModel(parameters: try EncoderParameters.random(config: config, seed: 5, standardDeviation: 0.5))
    }

    static func setTheta(_ model: EncoderModel, _ values: [Float]) {
        for (i, value) in values.enumerated() { model.parameters.theta[i] = value }
    }

    static let sequences = [
        MaskedSequence(inputIds: [0, 5, 12, 3, 7, 2], labels: [-100, 9, -100, -100, 4, -100]),
        MaskedSequence(inputIds: [0, 8, 3, 2], labels: [-100, -100, 11, -100]),
    ]

    func lossAndGradient(_ model: EncoderModel, dropout: Bool) throws -> (Double, [Float], [Float]) {
        let config = model.parameters.config
        var gradient = [Float](repeating: .nan, count: model.parameters.thetaLayout.totalCount)
        var gate = [Float](repeating: 0, count: config.numLayers * config.numHeads)
        var random = SeededRandom(seed: 99)
        let loss = try model.lossAndGradient(Self.sequences, dropout: dropout, random: &random,
                                             gradient: &gradient, headGateGradient: &gate)
        return (loss ?? .nan, gradient, gate)
    }

    @Test(arguments: ["xlm-roberta", "bert"], [false, true])
    func thetaAndHeadGateGradients(modelType: String, dropout: Bool) throws {
        let model = try Self.tinyModel(modelType)
        let (_, gradient, gate) = try lossAndGradient(model, dropout: dropout)
        #expect(!gradient.contains { $0.isNaN })
        let original = model.parameters.theta.array
        var values = original
        let error = FiniteDifference.relativeError(analytic: gradient, values: &values, step: 3e-3) { perturbed in
            Self.setTheta(model, perturbed)
            return (try? lossAndGradient(model, dropout: dropout).0) ?? .nan
        }
        Self.setTheta(model, original)
        print("encoder θ gradient (\(modelType), dropout \(dropout)): relative error \(error)")
        #expect(error < 5e-3)

        // Gating head h of layer l scales its value projection's output slice (weights and bias).
        let config = model.parameters.config
        var xi = [Float](repeating: 1, count: gate.count)
        let gateError = FiniteDifference.relativeError(analytic: gate, values: &xi, step: 2e-3) { xi in
            var scaled = original
            for l in 0..<config.numLayers {
                let w = model.parameters.layers[l]
                for h in 0..<config.numHeads {
                    for row in (h * config.headDim)..<((h + 1) * config.headDim) {
                        let factor = xi[l * config.numHeads + h]
                        for col in 0..<config.hiddenSize { scaled[w.value + row * config.hiddenSize + col] *= factor }
                        scaled[w.valueBias + row] *= factor
                    }
                }
            }
            Self.setTheta(model, scaled)
            return (try? lossAndGradient(model, dropout: dropout).0) ?? .nan
        }
        Self.setTheta(model, original)
        print("head gate gradient (\(modelType), dropout \(dropout)): relative error \(gateError)")
        #expect(gateError < 5e-3)
    }

    /// Packing sequences with per-sequence gradients gives each sequence's own gradient and gate gradient;
    /// with dropout, each sequence's drawn from its own stream as in a pass of its own.
    @Test(arguments: [false, true])
    func perSequenceGradientsMatchSeparatePasses(dropout: Bool) throws {
        let model = try Self.tinyModel("bert")
        let config = model.parameters.config
        let thetaCount = model.parameters.thetaLayout.totalCount, gateCount = config.numLayers * config.numHeads
        var packed = [[Float]](repeating: [Float](repeating: .nan, count: thetaCount), count: 2)
        var packedGate = [Float](repeating: 0, count: 2 * gateCount)
        let seeds: [UInt64] = [1, 2]
        var streams = seeds.map { SeededRandom(seed: $0) }
        let losses = try model.gradients(Self.sequences.map { [$0] }, dropout: dropout, streams: &streams,
                                         headGateGradient: &packedGate) { offset, count, group, values in
            for i in 0..<count { packed[group][offset + i] = values[i] }
        }
        for (index, sequence) in Self.sequences.enumerated() {
            var gradient = [Float](repeating: .nan, count: thetaCount)
            var gate = [Float](repeating: 0, count: gateCount)
            var random = SeededRandom(seed: seeds[index])
            let loss = try model.lossAndGradient([sequence], dropout: dropout, random: &random, gradient: &gradient,
                                                 headGateGradient: &gate)
            #expect(random == streams[index], "the packed pass drew as much from each stream as a pass of its own")
            #expect(abs((loss ?? .nan) - (losses?[index] ?? .nan)) < 1e-6)
            let scale = gradient.map(abs).max() ?? 0
            #expect(zip(gradient, packed[index]).allSatisfy { abs($0 - $1) <= 1e-5 * scale })
            let packedSlice = packedGate[(index * gateCount)..<((index + 1) * gateCount)]
            #expect(zip(gate, packedSlice).allSatisfy { abs($0 - $1) <= 1e-5 * (gate.map(abs).max() ?? 0) })
        }
    }

    @Test func unitWithoutPredictionIsSkipped() throws {
        let model = try Self.tinyModel("bert")
        var gradient = [Float](repeating: 7, count: model.parameters.thetaLayout.totalCount)
        var gate = [Float](repeating: 0, count: 6)
        var random = SeededRandom(seed: 1)
        let loss = try model.lossAndGradient([MaskedSequence(inputIds: [0, 4, 2], labels: [-100, -100, -100])],
                                             dropout: true, random: &random, gradient: &gradient,
                                             headGateGradient: &gate)
        #expect(loss == nil)
        #expect(gradient.allSatisfy { $0 == 7 })
    }

    @Test func rejectsIdsOutsideTheModel() throws {
        let model = try Self.tinyModel("xlm-roberta")
        #expect(throws: (any Error).self) { try model.meanPooledLastHiddenState([0, 13, 2]) }
        // RoBERTa positions start at pad + 1 = 2, so 10 of the 12 positions are usable.
        #expect(throws: (any Error).self) { try model.meanPooledLastHiddenState([Int32](repeating: 4, count: 11)) }
        #expect(try model.meanPooledLastHiddenState([Int32](repeating: 4, count: 10)).count == 6)
    }
}
