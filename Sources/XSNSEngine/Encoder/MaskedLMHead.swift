/// The masked-LM head, evaluated only at predicted positions: dense → GELU → LayerNorm → decoder
/// (tied word embeddings or the checkpoint's own) + bias → softmax cross-entropy.
/// The gradient with respect to its input is always formed; its own weights' gradients only on request.
struct MaskedLMHead {
    let parameters: EncoderParameters

    /// Where the head's parameter gradients are added (a buffer with the parameter block's layout).
    struct ParameterGradient {
        var block: UnsafeMutablePointer<Float>
        /// Dense layer, LayerNorm, decoder bias, and the decoder weight when it is not tied.
        var head: Bool
        /// The word embeddings are trained: a tied decoder's gradient is added to theirs.
        var tiedDecoder: Bool
    }
    struct Target {
        var row: Int
        var label: Int32
        /// Which loss the token belongs to: its mean is taken over the tokens of the same group.
        var group: Int
    }

    /// Most rows of logits held at once: bounds the [rows × vocabulary] buffer (256 MB at XLM-R's
    /// vocabulary) while covering a Fisher pass's predicted tokens, so the decoder weights are streamed
    /// once per pass. More targets are split into chunks of equal size (no short last chunk).
    static let chunkRows = 256

    /// Returns each group's summed loss and adds the gradient of Σ_groups (group loss / group count)
    /// into `hiddenGradient` at the target rows. `hidden` is [rows × hidden] for the whole packed unit.
    /// `predictions`, when given, receives each target's arg-max token (the first of equal logits).
    func lossAndGradient(hidden: UnsafePointer<Float>, targets: [Target], groupCounts: [Int],
                         hiddenGradient: UnsafeMutablePointer<Float>, parameterGradient: ParameterGradient? = nil,
                         predictions: UnsafeMutablePointer<Int32>? = nil,
                         scratch: ScratchBuffer, parallel: Parallel = .serial) -> [Double] {
        let c = parameters.config, p = parameters, o = parameters.offsets
        let trainsHead = parameterGradient?.head == true
        let decoderGradient: UnsafeMutablePointer<Float>? = parameterGradient.flatMap { g in
            (o.decoderTied ? g.tiedDecoder : g.head) ? g.block + o.decoderWeight : nil
        }
        let block = parameterGradient?.block
        let h = c.hiddenSize, vocabulary = c.vocabSize
        let chunks = max(1, (targets.count + Self.chunkRows - 1) / Self.chunkRows)
        let chunk = max(1, (targets.count + chunks - 1) / chunks)
        let work = scratch.pointer(atLeast: chunk * (5 * h + vocabulary) + 2 * chunk)
        let gathered = work, dense = gathered + chunk * h, activated = dense + chunk * h
        let normalised = activated + chunk * h, gradient = normalised + chunk * h
        let logits = gradient + chunk * h, mean = logits + chunk * vocabulary, rstd = mean + chunk
        var losses = [Double](repeating: 0, count: groupCounts.count)
        var labels = [Int32](repeating: 0, count: chunk)

        for first in stride(from: 0, to: targets.count, by: chunk) {
            let n = min(chunk, targets.count - first)
            for i in 0..<n {
                let target = targets[first + i]
                (gathered + i * h).update(from: hidden + target.row * h, count: h)
                labels[i] = target.label
            }
            Linear.forward(output: dense, input: gathered, weight: p.headDenseWeight.pointer,
                           bias: p.headDenseBias.pointer, rows: n, inFeatures: h, outFeatures: h, parallel: parallel)
            GELU.forward(output: activated, input: dense, count: n * h, parallel: parallel)
            LayerNorm.forward(output: normalised, mean: mean, reciprocalStd: rstd, input: activated,
                              weight: p.headNormWeight.pointer, bias: p.headNormBias.pointer,
                              rows: n, width: h, epsilon: c.layerNormEps, parallel: parallel)
            // Few rows, a huge vocabulary: the decoder is split across threads by vocabulary columns.
            parallel.split(vocabulary, grain: 1024) { columns in
                for i in 0..<n {
                    (logits + i * vocabulary + columns.lowerBound).update(
                        from: p.decoderBias.pointer + columns.lowerBound, count: columns.count)
                }
                sgemm(transposeA: false, transposeB: true, m: n, n: columns.count, k: h, a: normalised, lda: h,
                      b: p.decoderWeight.pointer + columns.lowerBound * h, ldb: h, beta: 1,
                      c: logits + columns.lowerBound, ldc: vocabulary)
            }
            var rowLosses = [Double](repeating: 0, count: n)
            labels.withUnsafeBufferPointer { label in
                rowLosses.withUnsafeMutableBufferPointer { rowLoss in
                    guard let label = label.baseAddress, let rowLoss = rowLoss.baseAddress else { return }
                    parallel.split(n) { range in
                        for i in range {
                            let row = logits + i * vocabulary
                            if let predictions { predictions[first + i] = Self.argmax(row, count: vocabulary) }
                            rowLoss[i] = CrossEntropy.forward(row, labels: label + i, rows: 1, classes: vocabulary)
                            CrossEntropy.backward(row, labels: label + i, rows: 1, classes: vocabulary,
                                                  scale: 1 / Float(groupCounts[targets[first + i].group]))
                        }
                    }
                }
            }
            for i in 0..<n { losses[targets[first + i].group] += rowLosses[i] }
            if let block, trainsHead {
                let bias = block + o.decoderBias
                parallel.split(vocabulary, grain: 1024) { columns in
                    for i in 0..<n {
                        let row = logits + i * vocabulary
                        for j in columns { bias[j] += row[j] }
                    }
                }
            }
            if let decoderGradient {
                parallel.split(vocabulary, grain: 1024) { columns in
                    sgemm(transposeA: true, transposeB: false, m: columns.count, n: h, k: n,
                          a: logits + columns.lowerBound, lda: vocabulary, b: normalised, ldb: h, beta: 1,
                          c: decoderGradient + columns.lowerBound * h, ldc: h)
                }
            }
            parallel.split(h, grain: 16) { columns in
                sgemm(transposeA: false, transposeB: false, m: n, n: columns.count, k: vocabulary, a: logits,
                      lda: vocabulary, b: p.decoderWeight.pointer + columns.lowerBound, ldb: h, beta: 0,
                      c: gradient + columns.lowerBound, ldc: h)
            }
            LayerNorm.backward(inputGradient: gradient, weightGradient: trainsHead ? block.map { $0 + o.headNormWeight } : nil,
                               biasGradient: trainsHead ? block.map { $0 + o.headNormBias } : nil,
                               outputGradient: gradient, input: activated, mean: mean, reciprocalStd: rstd,
                               weight: p.headNormWeight.pointer, rows: n, width: h, accumulateParameters: true,
                               parallel: parallel)
            GELU.backward(inputGradient: gradient, outputGradient: gradient, input: dense, count: n * h,
                          parallel: parallel)
            if let block, trainsHead {  // before the input gradient overwrites `gathered`, the dense layer's input
                Linear.backward(inputGradient: nil, weightGradient: block + o.headDenseWeight,
                                biasGradient: block + o.headDenseBias, accumulateParameters: true,
                                outputGradient: gradient, input: gathered, weight: p.headDenseWeight.pointer,
                                rows: n, inFeatures: h, outFeatures: h, parallel: parallel)
            }
            Linear.backward(inputGradient: gathered, weightGradient: nil, biasGradient: nil, outputGradient: gradient,
                            input: activated, weight: p.headDenseWeight.pointer, rows: n, inFeatures: h, outFeatures: h,
                            parallel: parallel)
            for i in 0..<n {
                let target = hiddenGradient + targets[first + i].row * h
                let source = gathered + i * h
                for j in 0..<h { target[j] += source[j] }
            }
        }
        return losses
    }

    static func argmax(_ row: UnsafePointer<Float>, count: Int) -> Int32 {
        var best = 0
        for j in 1..<count where row[j] > row[best] { best = j }
        return Int32(best)
    }
}
