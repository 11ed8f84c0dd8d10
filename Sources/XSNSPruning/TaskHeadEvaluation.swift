import XSNSEngine
import XSNSProbe
import XSNSTraining

extension TokenClassificationHead {
    /// The probe's tagging task (this head on `model`, adapters as the model has them) at head mask `mask`
    /// ([layers × heads], true = on) over fixed batches, adapter on, dropout off: word accuracy as `TaggingAccuracy` counts it (a word with a tag outside the
    /// label set is wrong), the mean cross-entropy over labelled words, and Σ_batches |∂loss_b/∂ξ|. The
    /// model's own head mask is restored afterwards.
    public func evaluateHeads(model: EncoderModel, _ batches: [[LabelledSentence]], mask: [Bool]) throws -> HeadEvaluation {
        try model.withHeads(mask) { try evaluateTagging(model: model, batches, heads: mask.count) }
    }

    private func evaluateTagging(model: EncoderModel, _ batches: [[LabelledSentence]], heads: Int) throws -> HeadEvaluation {
        var importance = [Double](repeating: 0, count: heads)
        var correct = 0, words = 0, labelled = 0, lossSum = 0.0
        var unused = SeededRandom(seed: 0)
        for batch in batches {
            let pass = try model.encode(batch.map(\.inputIds), dropout: false, random: &unused)
            var labels = [Int32](repeating: MaskedSequence.ignoredLabel, count: pass.rows)
            var row = 0
            for sentence in batch {
                for (position, label) in zip(sentence.positions, sentence.labels) {
                    if let label { labels[row + position] = label }
                }
                row += sentence.inputIds.count
            }
            let logits = self.logits(hidden: pass.lastHidden, rows: pass.rows)
            row = 0
            for sentence in batch {
                for (position, label) in zip(sentence.positions, sentence.labels) {
                    let scores = logits[((row + position) * labelCount)..<((row + position + 1) * labelCount)]
                    let best = scores.indices.max { scores[$0] < scores[$1] }! - (row + position) * labelCount
                    words += 1
                    if let label, Int(label) == best { correct += 1 }
                }
                row += sentence.inputIds.count
            }
            var gradient = [Float](repeating: 0, count: pass.rows * hidden)  // the head's width: the model's hidden size
            let loss = gradient.withUnsafeMutableBufferPointer {
                lossAndGradient(hidden: pass.lastHidden, rows: pass.rows, labels: labels, dropout: false,
                                     random: &unused, hiddenGradient: $0.baseAddress!, parameterGradient: nil)
            }
            guard let loss else { continue }
            let count = labels.filter { $0 != MaskedSequence.ignoredLabel }.count
            lossSum += loss * Double(count)
            labelled += count
            let gate = gradient.withUnsafeBufferPointer { model.headGateGradient(pass, lastHiddenGradient: $0.baseAddress!) }
            HeadEvaluation.accumulate(gate, into: &importance)
        }
        return HeadEvaluation(correct: correct, predicted: words, loss: labelled == 0 ? 0 : lossSum / Double(labelled),
                              importance: importance)
    }
}
