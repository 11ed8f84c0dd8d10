import Testing
@testable import XSNSEngine

/// The ops and the whole-model gradients the training engine added, against central finite differences.
struct TrainingGradientTests {
    let tolerance = 2e-3

    @Test func relu() {
        let count = 11
        var x = FiniteDifference.values(count, seed: 21).map { $0 + ($0 > 0 ? 0.05 : -0.05) }  // away from the kink
        let r = FiniteDifference.values(count, seed: 22)
        func loss(_ x: [Float]) -> Double {
            FiniteDifference.weightedSum([Float](repeating: 0, count: count).mutated { ReLU.forward(output: $0, input: x, count: count) }, r)
        }
        let y = [Float](repeating: 0, count: count).mutated { ReLU.forward(output: $0, input: x, count: count) }
        var dx = [Float](repeating: 9, count: count)
        ReLU.backward(inputGradient: &dx, outputGradient: r, output: y, count: count)
        #expect(FiniteDifference.relativeError(analytic: dx, values: &x, step: 1e-2, loss: loss) < tolerance)
    }

    /// Word, position and token type rows, with types given (a pair: rows 0 and 1 of the type table) and
    /// without (row 0 for every token).
    @Test(arguments: [nil, [0, 1, 1, 0]] as [[Int32]?])
    func embeddings(types: [Int32]?) {
        let width = 3, vocabulary = 5, positions = 7, offset = 2, typeRows = 2
        let ids: [Int32] = [4, 1, 4, 0]  // a repeated id: its rows must add up
        var word = FiniteDifference.values(vocabulary * width, seed: 23)
        var position = FiniteDifference.values(positions * width, seed: 24)
        var type = FiniteDifference.values(typeRows * width, seed: 25)
        let r = FiniteDifference.values(ids.count * width, seed: 26)
        func loss(_ w: [Float], _ p: [Float], _ t: [Float]) -> Double {
            let y = [Float](repeating: 0, count: ids.count * width).mutated { y in
                ids.withUnsafeBufferPointer { idBuffer in
                    EncoderModel.withTypes(types) { typeBuffer in
                        Embeddings.forward(output: y, ids: idBuffer, types: typeBuffer, word: w, position: p, tokenType: t,
                                           positionOffset: offset, width: width)
                    }
                }
            }
            return FiniteDifference.weightedSum(y, r)
        }
        var dw = [Float](repeating: 0, count: word.count), dp = [Float](repeating: 0, count: position.count)
        var dt = [Float](repeating: 0, count: typeRows * width)
        ids.withUnsafeBufferPointer { idBuffer in
            EncoderModel.withTypes(types) { typeBuffer in
                Embeddings.backward(outputGradient: r, ids: idBuffer, types: typeBuffer, word: &dw, position: &dp,
                                    tokenType: &dt, positionOffset: offset, width: width)
            }
        }
        let (cw, cp, ct) = (word, position, type)
        #expect(FiniteDifference.relativeError(analytic: dw, values: &word) { loss($0, cp, ct) } < tolerance)
        #expect(FiniteDifference.relativeError(analytic: dp, values: &position) { loss(cw, $0, ct) } < tolerance)
        #expect(FiniteDifference.relativeError(analytic: dt, values: &type) { loss(cw, cp, $0) } < tolerance)
        #expect(dt[width...].contains { $0 != 0 } == (types != nil), "row 1 is used exactly when types say so")
    }

    /// Every input and parameter of the adapter, including its share of the LayerNorm it applies first.
    @Test(arguments: [1, 2, 4])
    func bottleneckAdapter(bottleneck: Int) {
        let rows = 3, width = 5
        var tensors: [[Float]] = [
            FiniteDifference.values(rows * width, seed: 30).map { $0 * 2 },  // s
            FiniteDifference.values(bottleneck * width, seed: 31),  // down
            FiniteDifference.values(bottleneck, seed: 32).map { $0 * 0.3 + 0.4 },  // down bias: units mostly active
            FiniteDifference.values(width * bottleneck, seed: 33),  // up
            FiniteDifference.values(width, seed: 34),  // up bias
            FiniteDifference.values(width, seed: 35).map { $0 * 0.5 + 1 },  // γ
            FiniteDifference.values(width, seed: 36),  // β
        ]
        let r = FiniteDifference.values(rows * width, seed: 37)
        /// The weighted sum of the adapter's output and, with `backward`, every tensor's gradient.
        func run(_ t: [[Float]], backward: Bool) -> (Double, [[Float]]) {
            let b = t.map { FloatBuffer($0) }
            let kept = [rows * width, rows, rows, rows * width, rows * bottleneck].map { FloatBuffer(count: $0) }
            defer { withExtendedLifetime(kept) {} }
            let saved = BottleneckAdapter.Saved(sum: kept[0].pointer, mean: kept[1].pointer,
                                                reciprocalStd: kept[2].pointer, normalised: kept[3].pointer,
                                                hidden: kept[4].pointer)
            let weights = BottleneckAdapter.Weights(
                down: b[1].pointer, downBias: b[2].pointer, up: b[3].pointer, upBias: b[4].pointer,
                bottleneck: bottleneck, normWeight: b[5].pointer, normBias: b[6].pointer, epsilon: 1e-5)
            let work = FloatBuffer(count: rows * (width + bottleneck))
            BottleneckAdapter.forward(sum: b[0].pointer, saved: saved, weights: weights, rows: rows, width: width,
                                      work: work.pointer, parallel: .serial)
            let loss = FiniteDifference.weightedSum(b[0].array, r)
            guard backward else { return (loss, []) }
            let g = t.map { FloatBuffer(count: $0.count) }
            defer { withExtendedLifetime(b) {} }
            let upstream = FloatBuffer(r)
            BottleneckAdapter.backward(
                gradient: upstream.pointer, saved: saved, weights: weights,
                gradients: .init(down: g[1].pointer, downBias: g[2].pointer, up: g[3].pointer, upBias: g[4].pointer,
                                 normWeight: g[5].pointer, normBias: g[6].pointer),
                rows: rows, width: width, work: work.pointer, parallel: .serial)
            return (loss, [upstream.array] + g.dropFirst().map(\.array))
        }
        let analytic = run(tensors, backward: true).1
        for i in tensors.indices {
            let frozen = tensors
            let error = FiniteDifference.relativeError(analytic: analytic[i], values: &tensors[i], step: 3e-3) { v in
                var t = frozen
                t[i] = v
                return run(t, backward: false).0
            }
            #expect(error < tolerance, "adapter tensor \(i) (bottleneck \(bottleneck)): \(error)")
        }
    }

    /// The whole model's gradient of every parameter (embeddings with the tied decoder, θ, MLM head,
    /// adapters), with and without dropout, against finite differences of its own loss.
    @Test(arguments: ["xlm-roberta", "bert"], [false, true])
    func everyParameterOfTheModel(modelType: String, dropout: Bool) throws {
        let config = try EncoderConfig(
            modelType: modelType, vocabSize: 13, hiddenSize: 6, numLayers: 2, numHeads: 3, intermediateSize: 10,
            layerNormEps: 1e-5, maxPositionEmbeddings: 12, typeVocabSize: 2, padTokenId: 1,
            hiddenDropout: 0.2, attentionDropout: 0.3)
        let parameters = try EncoderParameters.random(config: config, seed: 5, standardDeviation: 0.5,
                                                      adapter: AdapterSpec(reduction: 3, seed: 9))
        // A new adapter starts near zero (σ 0.02): give it weight so its gradients are exercised.
        for range in parameters.range(of: .adapters) {
            for i in range { parameters.values[i] = FiniteDifference.values(1, seed: UInt64(i))[0] * 0.5 }
        }
        let model = EncoderModel(parameters: parameters)
        let groups = Set(ParameterGroup.allCases)
        func lossAndGradient() throws -> (Double, [Float]) {
            var gradient = [Float](repeating: 0, count: parameters.layout.totalCount)
            var random = SeededRandom(seed: 99)
            let loss = try model.maskedLMLossAndGradient(EncoderGradientTests.sequences, groups: groups, dropout: dropout,
                                                         random: &random, gradient: &gradient)
            return (loss ?? .nan, gradient)
        }
        let (_, gradient) = try lossAndGradient()
        var values = parameters.values.array
        let original = values
        let error = FiniteDifference.relativeError(analytic: gradient, values: &values, step: 1e-3) { perturbed in
            for (i, v) in perturbed.enumerated() { parameters.values[i] = v }
            return (try? lossAndGradient().0) ?? .nan
        }
        for (i, v) in original.enumerated() { parameters.values[i] = v }
        print("every parameter (\(modelType), dropout \(dropout)): relative error \(error)")
        #expect(error < 5e-3)
    }

    /// With heads switched off (`headMask`), the gradient of every parameter still matches finite differences
    /// of the masked model's loss, and an off head's query/key/value rows get exactly zero.
    @Test(arguments: ["xlm-roberta", "bert"])
    func everyParameterWithHeadsOff(modelType: String) throws {
        let config = try EncoderConfig(
            modelType: modelType, vocabSize: 13, hiddenSize: 6, numLayers: 2, numHeads: 3, intermediateSize: 10,
            layerNormEps: 1e-5, maxPositionEmbeddings: 12, typeVocabSize: 2, padTokenId: 1)
        let parameters = try EncoderParameters.random(config: config, seed: 7, standardDeviation: 0.5)
        let model = EncoderModel(parameters: parameters)
        let groups = Set(ParameterGroup.allCases)
        func lossAndGradient() throws -> (Double, [Float]) {
            var gradient = [Float](repeating: 0, count: parameters.layout.totalCount)
            var random = SeededRandom(seed: 99)
            let loss = try model.maskedLMLossAndGradient(EncoderGradientTests.sequences, groups: groups, dropout: false,
                                                         random: &random, gradient: &gradient)
            return (loss ?? .nan, gradient)
        }
        let (unmasked, _) = try lossAndGradient()
        model.headMask = [1, 0, 1, 0, 1, 1]
        let (masked, gradient) = try lossAndGradient()
        #expect(masked != unmasked)
        for (layer, head) in [(0, 1), (1, 0)] {
            for range in parameters.ranges(ofHead: head, layer: layer).prefix(6) {  // Q, K, V rows and biases
                #expect(range.allSatisfy { gradient[$0] == 0 }, "layer \(layer) head \(head)")
            }
        }
        var values = parameters.values.array
        let original = values
        let error = FiniteDifference.relativeError(analytic: gradient, values: &values, step: 1e-3) { perturbed in
            for (i, v) in perturbed.enumerated() { parameters.values[i] = v }
            return (try? lossAndGradient().0) ?? .nan
        }
        for (i, v) in original.enumerated() { parameters.values[i] = v }
        print("heads off (\(modelType)): relative error \(error)")
        #expect(error < 5e-3)
    }
}
