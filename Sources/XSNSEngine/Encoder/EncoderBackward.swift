extension EncoderModel {
    /// From dL/d(last hidden state) in `gradOut` down to layer 0's parameters, handing each θ tensor's
    /// gradient to `sink` (per sequence in per-sequence mode: input gradients are formed once for the
    /// whole pack since rows never mix across sequences, parameter gradients per sequence's rows).
    /// No gradient is formed for layer 0's input: the embeddings are outside θ.
    func backward(_ state: ForwardState, perSequence: Bool, headGateGradient: UnsafeMutablePointer<Float>,
                  sink: GradientSink) {
        let c = config, a = state.activations, p = parameters
        let h = c.hiddenSize, inter = c.intermediateSize, rows = state.rows, count = rows * h
        let layerStride = a.rows * h, theta = p.theta.pointer
        let keepActive = state.hiddenDropout > 0
        var segments: [(start: Int, length: Int)] = []
        var start = 0
        for length in state.lengths {
            segments.append((start, length))
            start += length
        }
        let groups = perSequence ? segments : [(start: 0, length: rows)]
        let weightGradient = tensorGradient.pointer
        let biasGradient = tensorGradient.pointer + h * max(h, inter)

        /// dW and db of a linear layer, per group of rows.
        func emitLinear(weight: Int, bias: Int, outputGradient dy: UnsafePointer<Float>, input x: UnsafePointer<Float>,
                        inFeatures: Int, outFeatures: Int) {
            for (group, rowsOfGroup) in groups.enumerated() {
                Linear.backward(inputGradient: nil, weightGradient: weightGradient, biasGradient: biasGradient,
                                outputGradient: dy + rowsOfGroup.start * outFeatures,
                                input: x + rowsOfGroup.start * inFeatures, weight: theta + weight,
                                rows: rowsOfGroup.length, inFeatures: inFeatures, outFeatures: outFeatures, parallel: parallel)
                sink(weight, outFeatures * inFeatures, group, weightGradient)
                sink(bias, outFeatures, group, biasGradient)
            }
        }
        /// dx of a LayerNorm for all rows, its dγ and dβ per group.
        func emitNorm(weight: Int, bias: Int, inputGradient dx: UnsafeMutablePointer<Float>,
                      outputGradient dy: UnsafePointer<Float>, input x: UnsafePointer<Float>,
                      mean: UnsafePointer<Float>, reciprocalStd: UnsafePointer<Float>) {
            for (group, rowsOfGroup) in groups.enumerated() {
                let offset = rowsOfGroup.start * h
                LayerNorm.backward(inputGradient: dx + offset, weightGradient: weightGradient,
                                   biasGradient: biasGradient, outputGradient: dy + offset, input: x + offset,
                                   mean: mean + rowsOfGroup.start, reciprocalStd: reciprocalStd + rowsOfGroup.start,
                                   weight: theta + weight, rows: rowsOfGroup.length, width: h, parallel: parallel)
                sink(weight, h, group, weightGradient)
                sink(bias, h, group, biasGradient)
            }
        }

        var gOut = a.gradOut.pointer, gB = a.gradB.pointer
        let gA = a.gradA.pointer, gI = a.gradIntermediate.pointer
        for l in stride(from: c.numLayers - 1, through: 0, by: -1) {
            let w = p.layers[l]
            let x = a.layerInput.pointer + l * layerStride
            let h1 = a.attentionNormOutput.pointer + l * layerStride
            let pre = a.intermediatePre.pointer + l * a.rows * inter
            let act = a.intermediateAct.pointer
            GELU.forward(output: act, input: pre, count: rows * inter, parallel: parallel)

            // Output LayerNorm, then its residual branch (gA) and the FFN branch through dropout (gB).
            emitNorm(weight: w.outputNormWeight, bias: w.outputNormBias, inputGradient: gA, outputGradient: gOut,
                     input: a.outputNormInput.pointer + l * layerStride, mean: a.outputNormMean.pointer + l * a.rows,
                     reciprocalStd: a.outputNormRstd.pointer + l * a.rows)
            gB.update(from: gA, count: count)
            if keepActive {
                Dropout.backward(gB, keep: a.outputKeep.pointer + l * layerStride, count: count,
                                 probability: state.hiddenDropout)
            }
            Linear.backward(inputGradient: gI, weightGradient: nil, biasGradient: nil, outputGradient: gB, input: act,
                            weight: theta + w.output, rows: rows, inFeatures: inter, outFeatures: h, parallel: parallel)
            emitLinear(weight: w.output, bias: w.outputBias, outputGradient: gB, input: act,
                       inFeatures: inter, outFeatures: h)
            GELU.backward(inputGradient: gI, outputGradient: gI, input: pre, count: rows * inter, parallel: parallel)
            Linear.backward(inputGradient: gA, accumulateInput: true, weightGradient: nil, biasGradient: nil,
                            outputGradient: gI, input: h1, weight: theta + w.intermediate,
                            rows: rows, inFeatures: h, outFeatures: inter, parallel: parallel)
            emitLinear(weight: w.intermediate, bias: w.intermediateBias, outputGradient: gI, input: h1,
                       inFeatures: h, outFeatures: inter)

            // Attention LayerNorm: residual branch (gB) and the attention branch through dropout (gA).
            emitNorm(weight: w.attentionNormWeight, bias: w.attentionNormBias, inputGradient: gB, outputGradient: gA,
                     input: a.attentionNormInput.pointer + l * layerStride,
                     mean: a.attentionNormMean.pointer + l * a.rows, reciprocalStd: a.attentionNormRstd.pointer + l * a.rows)
            gA.update(from: gB, count: count)
            if keepActive {
                Dropout.backward(gA, keep: a.attentionOutputKeep.pointer + l * layerStride, count: count,
                                 probability: state.hiddenDropout)
            }
            let ctx = a.context.pointer + l * layerStride
            Linear.backward(inputGradient: gOut, weightGradient: nil, biasGradient: nil, outputGradient: gA, input: ctx,
                            weight: theta + w.attentionOutput, rows: rows, inFeatures: h, outFeatures: h, parallel: parallel)
            emitLinear(weight: w.attentionOutput, bias: w.attentionOutputBias, outputGradient: gA, input: ctx,
                       inFeatures: h, outFeatures: h)

            let q = a.query.pointer + l * layerStride, k = a.key.pointer + l * layerStride
            let v = a.value.pointer + l * layerStride
            var probabilityOffset = l * a.probabilityCount
            for (index, segment) in segments.enumerated() {
                let o = segment.start * h
                let group = perSequence ? index : 0
                state.attention.backward(
                    queryGradient: a.gradQuery.pointer + o, keyGradient: a.gradKey.pointer + o,
                    valueGradient: a.gradValue.pointer + o,
                    gateGradient: headGateGradient + (group * c.numLayers + l) * c.numHeads,
                    contextGradient: gOut + o, context: ctx + o,
                    probabilities: a.probabilities.pointer + probabilityOffset,
                    keep: a.attentionKeep.pointer + (a.attentionKeep.count > 0 ? probabilityOffset : 0),
                    query: q + o, key: k + o, value: v + o, length: segment.length, scratch: scratch, parallel: parallel)
                probabilityOffset += state.attention.probabilityCount(length: segment.length)
            }
            for (weight, bias, upstream) in [(w.query, w.queryBias, a.gradQuery.pointer),
                                             (w.key, w.keyBias, a.gradKey.pointer),
                                             (w.value, w.valueBias, a.gradValue.pointer)] {
                if l > 0 {
                    Linear.backward(inputGradient: gB, accumulateInput: true, weightGradient: nil, biasGradient: nil,
                                    outputGradient: upstream, input: x, weight: theta + weight,
                                    rows: rows, inFeatures: h, outFeatures: h, parallel: parallel)
                }
                emitLinear(weight: weight, bias: bias, outputGradient: upstream, input: x, inFeatures: h, outFeatures: h)
            }
            swap(&gOut, &gB)
        }
    }
}
