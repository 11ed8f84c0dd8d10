import XSNSEngine

extension EncoderModel {
    /// The masked-LM at head mask `mask` ([layers × heads], true = on) over fixed evaluation batches, dropout
    /// off: masked-token accuracy, mean loss, and Σ_batches |∂loss_b/∂ξ| (run_bertology's accumulation).
    /// Batches that predict nothing are skipped. The model's own head mask is restored afterwards.
    public func evaluateHeads(_ batches: [[MaskedSequence]], mask: [Bool],
                              progress: (Int) -> Void = { _ in }) throws -> HeadEvaluation {
        let previous = headMask
        defer { headMask = previous }
        headMask = mask.map { $0 ? 1 : 0 }
        var importance = [Double](repeating: 0, count: mask.count)
        var correct = 0, predicted = 0, lossSum = 0.0
        for (index, batch) in batches.enumerated() {
            if let pass = try headGatePass(batch) {
                for (i, g) in pass.gateGradient.enumerated() { importance[i] += Double(abs(g)) }
                correct += pass.correct
                predicted += pass.predicted
                lossSum += pass.loss * Double(pass.predicted)
            }
            progress(index + 1)
        }
        return HeadEvaluation(correct: correct, predicted: predicted, loss: predicted == 0 ? 0 : lossSum / Double(predicted),
                              importance: importance)
    }
}
