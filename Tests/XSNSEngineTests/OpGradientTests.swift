import Testing
@testable import XSNSEngine

/// Every backward op against central finite differences of its forward op, on small odd shapes.
struct OpGradientTests {
    let tolerance = 2e-3

    @Test func linear() {
        let rows = 3, inFeatures = 5, outFeatures = 7
        var x = FiniteDifference.values(rows * inFeatures, seed: 1)
        var w = FiniteDifference.values(outFeatures * inFeatures, seed: 2)
        var b = FiniteDifference.values(outFeatures, seed: 3)
        let r = FiniteDifference.values(rows * outFeatures, seed: 4)
        func loss(_ x: [Float], _ w: [Float], _ b: [Float]) -> Double {
            let y = [Float](repeating: 0, count: rows * outFeatures).mutated { y in
                Linear.forward(output: y, input: x, weight: w, bias: b, rows: rows, inFeatures: inFeatures,
                               outFeatures: outFeatures)
            }
            return FiniteDifference.weightedSum(y, r)
        }
        var dx = [Float](repeating: 9, count: x.count), dw = [Float](repeating: 9, count: w.count)
        var db = [Float](repeating: 9, count: b.count)
        Linear.backward(inputGradient: &dx, weightGradient: &dw, biasGradient: &db, outputGradient: r, input: x,
                        weight: w, rows: rows, inFeatures: inFeatures, outFeatures: outFeatures)
        let (cx, cw, cb) = (x, w, b)
        #expect(FiniteDifference.relativeError(analytic: dx, values: &x) { loss($0, cw, cb) } < tolerance)
        #expect(FiniteDifference.relativeError(analytic: dw, values: &w) { loss(cx, $0, cb) } < tolerance)
        #expect(FiniteDifference.relativeError(analytic: db, values: &b) { loss(cx, cw, $0) } < tolerance)

        // Accumulating mode adds to what is there.
        var accumulated = [Float](repeating: 1, count: x.count)
        Linear.backward(inputGradient: &accumulated, accumulateInput: true, weightGradient: nil, biasGradient: nil,
                        outputGradient: r, input: x, weight: w, rows: rows, inFeatures: inFeatures,
                        outFeatures: outFeatures)
        #expect(zip(accumulated, dx).allSatisfy { abs($0 - 1 - $1) < 1e-5 })
    }

    @Test func layerNorm() {
        let rows = 3, width = 7
        var x = FiniteDifference.values(rows * width, seed: 5).map { $0 * 3 + 0.5 }
        var gamma = FiniteDifference.values(width, seed: 6).map { $0 + 1 }
        var beta = FiniteDifference.values(width, seed: 7)
        let r = FiniteDifference.values(rows * width, seed: 8)
        func loss(_ x: [Float], _ g: [Float], _ b: [Float]) -> Double {
            let y = [Float](repeating: 0, count: rows * width).mutated { y in
                LayerNorm.forward(output: y, mean: nil, reciprocalStd: nil, input: x, weight: g, bias: b,
                                  rows: rows, width: width, epsilon: 1e-5)
            }
            return FiniteDifference.weightedSum(y, r)
        }
        var mean = [Float](repeating: 0, count: rows), rstd = [Float](repeating: 0, count: rows)
        var y = [Float](repeating: 0, count: rows * width)
        LayerNorm.forward(output: &y, mean: &mean, reciprocalStd: &rstd, input: x, weight: gamma, bias: beta,
                          rows: rows, width: width, epsilon: 1e-5)
        var dx = [Float](repeating: 0, count: x.count), dg = [Float](repeating: 9, count: width)
        var db = [Float](repeating: 9, count: width)
        LayerNorm.backward(inputGradient: &dx, weightGradient: &dg, biasGradient: &db, outputGradient: r, input: x,
                           mean: mean, reciprocalStd: rstd, weight: gamma, rows: rows, width: width)
        let (cx, cg, cb) = (x, gamma, beta)
        #expect(FiniteDifference.relativeError(analytic: dx, values: &x) { loss($0, cg, cb) } < tolerance)
        #expect(FiniteDifference.relativeError(analytic: dg, values: &gamma) { loss(cx, $0, cb) } < tolerance)
        #expect(FiniteDifference.relativeError(analytic: db, values: &beta) { loss(cx, cg, $0) } < tolerance)
    }

    @Test func gelu() {
        var x = FiniteDifference.values(11, seed: 9).map { $0 * 4 }
        let r = FiniteDifference.values(11, seed: 10)
        var dx = [Float](repeating: 0, count: 11)
        GELU.backward(inputGradient: &dx, outputGradient: r, input: x, count: 11)
        let error = FiniteDifference.relativeError(analytic: dx, values: &x) { x in
            FiniteDifference.weightedSum([Float](repeating: 0, count: 11).mutated {
                GELU.forward(output: $0, input: x, count: 11)
            }, r)
        }
        #expect(error < tolerance)
        // The exact erf form, not the tanh approximation: GELU(1) = Φ(1) = 0.841344746.
        var one: Float = 0
        GELU.forward(output: &one, input: [1], count: 1)
        #expect(abs(one - 0.841_344_75) < 1e-6)
    }

    @Test func crossEntropy() {
        let rows = 3, classes = 7
        var logits = FiniteDifference.values(rows * classes, seed: 11).map { $0 * 3 }
        let labels: [Int32] = [2, 0, 6]
        func loss(_ z: [Float]) -> Double {
            var copy = z
            return CrossEntropy.forward(&copy, labels: labels, rows: rows, classes: classes) / Double(rows)
        }
        var gradient = logits
        _ = CrossEntropy.forward(&gradient, labels: labels, rows: rows, classes: classes)
        CrossEntropy.backward(&gradient, labels: labels, rows: rows, classes: classes, scale: 1 / Float(rows))
        #expect(FiniteDifference.relativeError(analytic: gradient, values: &logits, loss: loss) < tolerance)
    }

    @Test(arguments: [Float(0), 0.3])
    func selfAttention(dropout: Float) {
        let length = 5, heads = 3, headDim = 2, hidden = heads * headDim
        let attention = SelfAttention(heads: heads, headDim: headDim, dropoutProbability: dropout)
        var q = FiniteDifference.values(length * hidden, seed: 12).map { $0 * 2 }
        var k = FiniteDifference.values(length * hidden, seed: 13).map { $0 * 2 }
        var v = FiniteDifference.values(length * hidden, seed: 14)
        let r = FiniteDifference.values(length * hidden, seed: 15)
        let scratch = ScratchBuffer()
        var probabilities = [Float](repeating: 0, count: attention.probabilityCount(length: length))
        var keep = [UInt8](repeating: 0, count: probabilities.count)

        /// The same dropout draws on every evaluation: the generator starts from the same state.
        func run(_ q: [Float], _ k: [Float], _ v: [Float]) -> [Float] {
            var random = SeededRandom(seed: 77)
            return [Float](repeating: 0, count: length * hidden).mutated { context in
                attention.forward(context: context, probabilities: &probabilities, keep: &keep, query: q, key: k,
                                  value: v, length: length, scratch: scratch, random: &random)
            }
        }
        let context = run(q, k, v)
        var dq = [Float](repeating: 0, count: q.count), dk = dq, dv = dq
        var gate = [Float](repeating: 0, count: heads)
        attention.backward(queryGradient: &dq, keyGradient: &dk, valueGradient: &dv, gateGradient: &gate,
                           contextGradient: r, context: context, probabilities: probabilities, keep: keep,
                           query: q, key: k, value: v, length: length, scratch: scratch)
        let (cq, ck, cv) = (q, k, v)
        #expect(FiniteDifference.relativeError(analytic: dq, values: &q) {
            FiniteDifference.weightedSum(run($0, ck, cv), r) } < tolerance)
        #expect(FiniteDifference.relativeError(analytic: dk, values: &k) {
            FiniteDifference.weightedSum(run(cq, $0, cv), r) } < tolerance)
        #expect(FiniteDifference.relativeError(analytic: dv, values: &v) {
            FiniteDifference.weightedSum(run(cq, ck, $0), r) } < tolerance)

        // A head's context is linear in its value slice, so gating head h is scaling that slice.
        var xi = [Float](repeating: 1, count: heads)
        let error = FiniteDifference.relativeError(analytic: gate, values: &xi) { xi in
            let gated = (0..<(length * hidden)).map { i in cv[i] * xi[(i % hidden) / headDim] }
            return FiniteDifference.weightedSum(run(cq, ck, gated), r)
        }
        #expect(error < tolerance)
    }

    @Test func dropoutScalesSurvivorsAndZeroesTheRest() {
        let count = 20_000, p: Float = 0.25
        var x = [Float](repeating: 2, count: count)
        var keep = [UInt8](repeating: 0, count: count)
        var random = SeededRandom(seed: 3)
        Dropout.forward(&x, keep: &keep, count: count, probability: p, random: &random)
        let kept = keep.filter { $0 == 1 }.count
        #expect(abs(Double(kept) / Double(count) - 0.75) < 0.02)
        #expect(zip(x, keep).allSatisfy { $1 == 1 ? abs($0 - 2 / 0.75) < 1e-6 : $0 == 0 })
        var gradient = [Float](repeating: 1, count: count)
        Dropout.backward(&gradient, keep: keep, count: count, probability: p)
        #expect(zip(gradient, x).allSatisfy { abs($0 - $1 / 2) < 1e-6 })
    }
}
