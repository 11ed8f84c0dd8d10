import XSNSEngine

extension EncoderModel {
    /// The masked-LM at head mask `mask` ([layers × heads], true = on) over fixed evaluation batches, dropout
    /// off: masked-token accuracy, mean loss, and Σ_batches |∂loss_b/∂ξ| (run_bertology's accumulation).
    /// Batches that predict nothing are skipped. The model's own head mask is restored afterwards.
    public func evaluateHeads(_ batches: [[MaskedSequence]], mask: [Bool],
                              progress: (Int) -> Void = { _ in }) throws -> HeadEvaluation {
        try withHeads(mask) { try evaluateMaskedLM(batches, heads: mask.count, progress: progress) }
    }

    /// `body` with the head mask `mask` (true = on), the model's own mask restored afterwards.
    func withHeads<T>(_ mask: [Bool], _ body: () throws -> T) rethrows -> T {
        let previous = headMask
        defer { headMask = previous }
        headMask = mask.map { $0 ? 1 : 0 }
        return try body()
    }

    private func evaluateMaskedLM(_ batches: [[MaskedSequence]], heads: Int, progress: (Int) -> Void) throws -> HeadEvaluation {
        var importance = [Double](repeating: 0, count: heads)
        var correct = 0, predicted = 0, lossSum = 0.0
        for (index, batch) in batches.enumerated() {
            if let pass = try headGatePass(batch) {
                HeadEvaluation.accumulate(pass.gateGradient, into: &importance)
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

extension HeadEvaluation {
    /// importance += |∂loss_b/∂ξ| of one batch (run_bertology's accumulation).
    static func accumulate(_ gateGradient: [Float], into importance: inout [Double]) {
        for (i, g) in gateGradient.enumerated() { importance[i] += Double(abs(g)) }
    }
}

/// Consecutive runs of `size` items (the last may be shorter): evaluation batches in a fixed order.
func batches<T>(of items: [T], size: Int) -> [[T]] {
    stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min($0 + size, items.count)]) }
}
