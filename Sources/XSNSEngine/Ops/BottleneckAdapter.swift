/// AdapterHub's `seq_bn` ("pfeiffer") bottleneck adapter around a layer's output LayerNorm (LN):
/// with s = x + r (the FFN output plus the attention block's output, what LN normalises without an
/// adapter), the layer's output becomes LN(s + up(ReLU(down(LN(s))))): the same LN, applied first to
/// feed the adapter and then to its result, with the raw FFN output as the adapter's residual.
/// `forward` turns s into the final LN's input; the caller applies that LN as it would without adapter.
enum BottleneckAdapter {
    struct Weights {
        var down, downBias, up, upBias: UnsafePointer<Float>
        var bottleneck: Int
        /// The layer's output LayerNorm (applied to s for the adapter's input).
        var normWeight, normBias: UnsafePointer<Float>
        var epsilon: Float
    }

    /// What the backward pass needs: s, LN(s)'s row statistics, LN(s) itself, and ReLU(down(·)).
    struct Saved {
        var sum, mean, reciprocalStd, normalised, hidden: UnsafeMutablePointer<Float>
    }

    /// In place: `sum` (s, [rows × width]) becomes s + up(ReLU(down(LN(s)))). `work` holds rows × width.
    static func forward(sum: UnsafeMutablePointer<Float>, saved: Saved, weights w: Weights, rows: Int, width: Int,
                        work: UnsafeMutablePointer<Float>, parallel: Parallel) {
        saved.sum.update(from: sum, count: rows * width)
        LayerNorm.forward(output: saved.normalised, mean: saved.mean, reciprocalStd: saved.reciprocalStd,
                          input: saved.sum, weight: w.normWeight, bias: w.normBias, rows: rows, width: width,
                          epsilon: w.epsilon, parallel: parallel)
        Linear.forward(output: saved.hidden, input: saved.normalised, weight: w.down, bias: w.downBias,
                       rows: rows, inFeatures: width, outFeatures: w.bottleneck, parallel: parallel)
        ReLU.forward(output: saved.hidden, input: saved.hidden, count: rows * w.bottleneck)
        Linear.forward(output: work, input: saved.hidden, weight: w.up, bias: w.upBias,
                       rows: rows, inFeatures: w.bottleneck, outFeatures: width, parallel: parallel)
        for i in 0..<(rows * width) { sum[i] += work[i] }
    }

    /// Parameter gradients are added (nil: frozen, not computed).
    struct Gradients {
        var down, downBias, up, upBias: UnsafeMutablePointer<Float>?
        var normWeight, normBias: UnsafeMutablePointer<Float>?
    }

    /// In place: `gradient` (dL/d(final LN input)) becomes dL/ds, adding the path through the adapter.
    /// `work` holds rows × (width + bottleneck) floats.
    static func backward(gradient: UnsafeMutablePointer<Float>, saved: Saved, weights w: Weights,
                         gradients g: Gradients, rows: Int, width: Int, work: UnsafeMutablePointer<Float>,
                         parallel: Parallel) {
        let hiddenGradient = work, normalisedGradient = work + rows * w.bottleneck
        Linear.backward(inputGradient: hiddenGradient, weightGradient: g.up, biasGradient: g.upBias,
                        accumulateParameters: true, outputGradient: gradient, input: saved.hidden, weight: w.up,
                        rows: rows, inFeatures: w.bottleneck, outFeatures: width, parallel: parallel)
        ReLU.backward(inputGradient: hiddenGradient, outputGradient: hiddenGradient, output: saved.hidden,
                      count: rows * w.bottleneck)
        Linear.backward(inputGradient: normalisedGradient, weightGradient: g.down, biasGradient: g.downBias,
                        accumulateParameters: true, outputGradient: hiddenGradient, input: saved.normalised,
                        weight: w.down, rows: rows, inFeatures: width, outFeatures: w.bottleneck, parallel: parallel)
        LayerNorm.backward(inputGradient: normalisedGradient, weightGradient: g.normWeight, biasGradient: g.normBias,
                           outputGradient: normalisedGradient, input: saved.sum, mean: saved.mean,
                           reciprocalStd: saved.reciprocalStd, weight: w.normWeight, rows: rows, width: width,
                           accumulateParameters: true, parallel: parallel)
        for i in 0..<(rows * width) { gradient[i] += normalisedGradient[i] }
    }
}
