import XSNSStorage

/// Where the backward pass puts parameter gradients.
enum GradientTarget {
    /// θ only, tensor by tensor, to a sink (the Fisher estimators): one gradient per group of sequences.
    case perTensor(SequenceGroups, EncoderModel.GradientSink)
    /// Added into a buffer with the parameter block's layout, for the requested groups only; frozen
    /// groups get no weight-gradient GEMMs, only the input gradients that trainable parts below need.
    case block(UnsafeMutablePointer<Float>, Set<ParameterGroup>)
    /// No parameter gradient at all: only the head gates' (head importance and pruning), which still
    /// needs the input gradients all the way down.
    case headGatesOnly

    /// The gradient groups of a pass over `sequences` sequences: the sink's, else the whole pass.
    func groups(sequences: Int) -> SequenceGroups {
        if case .perTensor(let groups, _) = self { return groups }
        return .whole(sequences)
    }

    /// Whether anything below the last hidden state needs a gradient (else the backward pass is skipped).
    var reachesEncoder: Bool {
        if case .headGatesOnly = self { return true }
        return wants(.theta) || wants(.embeddings) || wants(.adapters)
    }

    func wants(_ group: ParameterGroup) -> Bool {
        switch self {
        case .perTensor: return group == .theta
        case .block(_, let groups): return groups.contains(group)
        case .headGatesOnly: return false
        }
    }
}

extension EncoderModel {
    /// From dL/d(last hidden state) in `gradOut` down to the parameters `target` asks for. In per-tensor
    /// mode input gradients are formed once for the whole pack (rows never mix across sequences) and
    /// parameter gradients per group's rows.
    func backward(_ state: ForwardState, target: GradientTarget, headGateGradient: UnsafeMutablePointer<Float>) {
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
        let sequenceGroups = target.groups(sequences: segments.count)
        let groups = sequenceGroups.rowRanges(lengths: state.lengths)
        let weightGradient = tensorGradient.pointer
        let biasGradient = tensorGradient.pointer + h * max(h, inter)
        let wantsTheta = target.wants(.theta), wantsEmbeddings = target.wants(.embeddings)
        var blockTheta: UnsafeMutablePointer<Float>?
        if case .block(let gradient, _) = target { blockTheta = gradient + p.thetaRange.lowerBound }

        /// dW and db of a linear layer (per group of rows for a sink).
        func emitLinear(weight: Int, bias: Int, outputGradient dy: UnsafePointer<Float>, input x: UnsafePointer<Float>,
                        inFeatures: Int, outFeatures: Int) {
            guard wantsTheta else { return }
            if let blockTheta {
                Linear.backward(inputGradient: nil, weightGradient: blockTheta + weight, biasGradient: blockTheta + bias,
                                accumulateParameters: true, outputGradient: dy, input: x, weight: theta + weight,
                                rows: rows, inFeatures: inFeatures, outFeatures: outFeatures, parallel: parallel)
                return
            }
            guard case .perTensor(_, let sink) = target else { return }
            for (group, rowsOfGroup) in groups.enumerated() {
                Linear.backward(inputGradient: nil, weightGradient: weightGradient, biasGradient: biasGradient,
                                outputGradient: dy + rowsOfGroup.start * outFeatures,
                                input: x + rowsOfGroup.start * inFeatures, weight: theta + weight,
                                rows: rowsOfGroup.length, inFeatures: inFeatures, outFeatures: outFeatures, parallel: parallel)
                sink(weight, outFeatures * inFeatures, group, weightGradient)
                sink(bias, outFeatures, group, biasGradient)
            }
            // Factored from each sequence's rows in both modes: far cheaper than projecting a formed ∇W.
            if let sketch = sketchTarget {
                sketch.addLinear(weight: weight, bias: bias, outputGradient: dy, input: x, segments: segments,
                                 inFeatures: inFeatures, outFeatures: outFeatures)
            }
        }
        /// dx of a LayerNorm for all rows, and its dγ and dβ (per group for a sink).
        func emitNorm(weight: Int, bias: Int, inputGradient dx: UnsafeMutablePointer<Float>,
                      outputGradient dy: UnsafePointer<Float>, input x: UnsafePointer<Float>,
                      mean: UnsafePointer<Float>, reciprocalStd: UnsafePointer<Float>) {
            if !wantsTheta || blockTheta != nil {
                LayerNorm.backward(inputGradient: dx, weightGradient: blockTheta.map { $0 + weight },
                                   biasGradient: blockTheta.map { $0 + bias }, outputGradient: dy, input: x,
                                   mean: mean, reciprocalStd: reciprocalStd, weight: theta + weight, rows: rows,
                                   width: h, accumulateParameters: true, parallel: parallel)
                return
            }
            guard case .perTensor(_, let sink) = target else { return }
            for (group, rowsOfGroup) in groups.enumerated() {
                let offset = rowsOfGroup.start * h
                LayerNorm.backward(inputGradient: dx + offset, weightGradient: weightGradient,
                                   biasGradient: biasGradient, outputGradient: dy + offset, input: x + offset,
                                   mean: mean + rowsOfGroup.start, reciprocalStd: reciprocalStd + rowsOfGroup.start,
                                   weight: theta + weight, rows: rowsOfGroup.length, width: h, parallel: parallel)
                sink(weight, h, group, weightGradient)
                sink(bias, h, group, biasGradient)
            }
            if let sketch = sketchTarget {
                sketch.addNorm(weight: weight, bias: bias, outputGradient: dy, input: x, mean: mean,
                               reciprocalStd: reciprocalStd, segments: segments, width: h)
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
            if let adapter = adapterWeights(layer: l) {
                BottleneckAdapter.backward(
                    gradient: gA, saved: a.adapterSaved(layer: l), weights: adapter,
                    gradients: adapterGradients(layer: l, target: target), rows: rows, width: h,
                    work: scratch.pointer(atLeast: rows * (h + adapter.bottleneck)), parallel: parallel)
            }
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
            if let headMask {
                var probabilityOffset = l * a.probabilityCount
                for (index, segment) in segments.enumerated() {
                    let o = segment.start * h, gate = headGateGradient + (sequenceGroups.groupOfSequence[index] * c.numLayers + l) * c.numHeads
                    for head in 0..<c.numHeads where headMask[l * c.numHeads + head] == 0 {
                        gate[head] += state.attention.switchedOffGateGradient(
                            head: head, contextGradient: gOut + o, probabilities: a.probabilities.pointer + probabilityOffset,
                            keep: a.attentionKeep.pointer + (a.attentionKeep.count > 0 ? probabilityOffset : 0),
                            value: v + o, length: segment.length, scratch: scratch)
                    }
                    probabilityOffset += state.attention.probabilityCount(length: segment.length)
                }
            }
            maskHeads(gOut, layer: l, rows: rows)

            var probabilityOffset = l * a.probabilityCount
            for (index, segment) in segments.enumerated() {
                let o = segment.start * h
                let group = sequenceGroups.groupOfSequence[index]
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
                if l > 0 || wantsEmbeddings {
                    Linear.backward(inputGradient: gB, accumulateInput: true, weightGradient: nil, biasGradient: nil,
                                    outputGradient: upstream, input: x, weight: theta + weight,
                                    rows: rows, inFeatures: h, outFeatures: h, parallel: parallel)
                }
                emitLinear(weight: weight, bias: bias, outputGradient: upstream, input: x, inFeatures: h, outFeatures: h)
            }
            swap(&gOut, &gB)
        }
        if wantsEmbeddings, case .block(let gradient, _) = target {
            embeddingsBackward(state, layerZeroInputGradient: gOut, gradient: gradient)
        }
    }

    /// Where layer l's adapter puts its parameter gradients (and its share of the output LayerNorm's).
    private func adapterGradients(layer l: Int, target: GradientTarget) -> BottleneckAdapter.Gradients {
        if case .headGatesOnly = target { return BottleneckAdapter.Gradients() }
        guard case .block(let gradient, let groups) = target else {
            preconditionFailure("per-tensor gradients (Fisher) are not defined for models with adapters")
        }
        var result = BottleneckAdapter.Gradients()
        if groups.contains(.adapters) {
            let adapter = parameters.offsets.adapters[l]
            result.down = gradient + adapter.downWeight
            result.downBias = gradient + adapter.downBias
            result.up = gradient + adapter.upWeight
            result.upBias = gradient + adapter.upBias
        }
        if groups.contains(.theta) {
            let theta = gradient + parameters.thetaRange.lowerBound, w = parameters.layers[l]
            result.normWeight = theta + w.outputNormWeight
            result.normBias = theta + w.outputNormBias
        }
        return result
    }

    /// From dL/d(embedding output) through the embedding dropout and LayerNorm into the embedding tables.
    private func embeddingsBackward(_ state: ForwardState, layerZeroInputGradient dy: UnsafeMutablePointer<Float>,
                                    gradient: UnsafeMutablePointer<Float>) {
        let c = config, a = state.activations, o = parameters.offsets, h = c.hiddenSize
        if state.hiddenDropout > 0 {
            Dropout.backward(dy, keep: a.embeddingKeep.pointer, count: state.rows * h, probability: state.hiddenDropout)
        }
        LayerNorm.backward(inputGradient: dy, weightGradient: gradient + o.embeddingNormWeight,
                           biasGradient: gradient + o.embeddingNormBias, outputGradient: dy,
                           input: a.embeddingNormInput.pointer, mean: a.embeddingNormMean.pointer,
                           reciprocalStd: a.embeddingNormRstd.pointer, weight: parameters.embeddingNormWeight.pointer,
                           rows: state.rows, width: h, accumulateParameters: true, parallel: parallel)
        var row = 0
        for (ids, types) in zip(state.sequences, state.types) {
            ids.withUnsafeBufferPointer { buffer in
                Self.withTypes(types) { typeBuffer in
                    Embeddings.backward(outputGradient: dy + row * h, ids: buffer, types: typeBuffer,
                                        word: gradient + o.wordEmbeddings, position: gradient + o.positionEmbeddings,
                                        tokenType: o.tokenTypeEmbeddings.map { gradient + $0 },
                                        positionOffset: c.positionOffset, width: h)
                }
            }
            row += ids.count
        }
    }
}
