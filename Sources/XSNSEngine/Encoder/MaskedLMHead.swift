/// The masked-LM head, evaluated only at predicted positions: dense → GELU → LayerNorm → decoder
/// (tied word embeddings or the checkpoint's own) + bias → softmax cross-entropy.
/// Its weights are outside θ, so only the gradient with respect to its input is formed.
struct MaskedLMHead {
    let parameters: EncoderParameters
    struct Target {
        var row: Int
        var label: Int32
        /// Which loss the token belongs to: its mean is taken over the tokens of the same group.
        var group: Int
    }

    /// Rows of logits held at once: bounds the [rows × vocabulary] buffer for large batches.
    static let chunkRows = 64

    /// Returns each group's summed loss and adds the gradient of Σ_groups (group loss / group count)
    /// into `hiddenGradient` at the target rows. `hidden` is [rows × hidden] for the whole packed unit.
    func lossAndGradient(hidden: UnsafePointer<Float>, targets: [Target], groupCounts: [Int],
                         hiddenGradient: UnsafeMutablePointer<Float>, scratch: ScratchBuffer) -> [Double] {
        let c = parameters.config, p = parameters
        let h = c.hiddenSize, vocabulary = c.vocabSize
        let chunk = min(Self.chunkRows, targets.count)
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
                           bias: p.headDenseBias.pointer, rows: n, inFeatures: h, outFeatures: h)
            GELU.forward(output: activated, input: dense, count: n * h)
            LayerNorm.forward(output: normalised, mean: mean, reciprocalStd: rstd, input: activated,
                              weight: p.headNormWeight.pointer, bias: p.headNormBias.pointer,
                              rows: n, width: h, epsilon: c.layerNormEps)
            Linear.forward(output: logits, input: normalised, weight: p.decoderWeight.pointer,
                           bias: p.decoderBias.pointer, rows: n, inFeatures: h, outFeatures: vocabulary)
            labels.withUnsafeBufferPointer { label in
                guard let label = label.baseAddress else { return }
                for i in 0..<n {
                    let group = targets[first + i].group
                    let row = logits + i * vocabulary
                    losses[group] += CrossEntropy.forward(row, labels: label + i, rows: 1, classes: vocabulary)
                    CrossEntropy.backward(row, labels: label + i, rows: 1, classes: vocabulary,
                                          scale: 1 / Float(groupCounts[group]))
                }
            }
            Linear.backward(inputGradient: gradient, weightGradient: nil, biasGradient: nil, outputGradient: logits,
                            input: normalised, weight: p.decoderWeight.pointer,
                            rows: n, inFeatures: h, outFeatures: vocabulary)
            LayerNorm.backward(inputGradient: gradient, weightGradient: nil, biasGradient: nil,
                               outputGradient: gradient, input: activated, mean: mean, reciprocalStd: rstd,
                               weight: p.headNormWeight.pointer, rows: n, width: h)
            GELU.backward(inputGradient: gradient, outputGradient: gradient, input: dense, count: n * h)
            Linear.backward(inputGradient: gathered, weightGradient: nil, biasGradient: nil, outputGradient: gradient,
                            input: activated, weight: p.headDenseWeight.pointer, rows: n, inFeatures: h, outFeatures: h)
            for i in 0..<n {
                let target = hiddenGradient + targets[first + i].row * h
                let source = gathered + i * h
                for j in 0..<h { target[j] += source[j] }
            }
        }
        return losses
    }
}
