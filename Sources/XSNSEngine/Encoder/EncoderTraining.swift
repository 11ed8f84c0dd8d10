import XSNSStorage

/// What the training module needs of the encoder: gradients of any parameter group into a block-shaped
/// buffer, and the threads and parameter block to update in place.
extension EncoderModel {
    /// The mean masked-LM loss over every predicted token of `batch` (one packed pass); its gradient
    /// with respect to `groups` is added into `gradient` (the parameter block's layout). Nil, and nothing
    /// added, when the batch predicts no token.
    package func maskedLMLossAndGradient(
        _ batch: [MaskedSequence], groups: Set<ParameterGroup>, dropout: Bool, random: inout SeededRandom,
        gradient: UnsafeMutablePointer<Float>
    ) throws -> Double? {
        let c = config
        var gate = [Float](repeating: 0, count: c.numLayers * c.numHeads)
        return try gate.withUnsafeMutableBufferPointer { gate in
            try gradients(batch, target: .block(gradient, groups), dropout: dropout, random: &random,
                          headGateGradient: gate.baseAddress!)?.first
        }
    }
}

/// One evaluation pass of the masked-LM at the model's head mask, for head importance and pruning (Michel et
/// al. 2019): dropout off, no parameter gradient.
package struct HeadGatePass: Sendable {
    /// The mean cross-entropy over the predicted tokens.
    package var loss: Double
    package var predicted: Int
    /// Predicted tokens whose arg-max is the label.
    package var correct: Int
    /// ∂loss/∂ξ, [layers × heads] (a switched-off head's at ξ = 0).
    package var gateGradient: [Float]
}

extension EncoderModel {
    /// Nil when `batch` predicts no token.
    package func headGatePass(_ batch: [MaskedSequence]) throws -> HeadGatePass? {
        let c = config
        var gate = [Float](repeating: 0, count: c.numLayers * c.numHeads)
        let labels = batch.flatMap { $0.labels.filter { $0 != MaskedSequence.ignoredLabel } }
        var predictions = [Int32](repeating: -1, count: labels.count)
        var random = SeededRandom(seed: 0)  // unused: dropout is off
        let loss = try gate.withUnsafeMutableBufferPointer { gate in
            try predictions.withUnsafeMutableBufferPointer { predictions in
                try gradients(batch, target: .headGatesOnly, dropout: false, random: &random,
                              headGateGradient: gate.baseAddress!, predictions: predictions.baseAddress)?.first
            }
        }
        guard let loss else { return nil }
        let correct = zip(predictions, labels).count { $0 == $1 }
        return HeadGatePass(loss: loss, predicted: labels.count, correct: correct, gateGradient: gate)
    }
}

/// One forward pass kept for its backward pass: valid until the model's next forward.
package struct EncoderPass {
    let state: EncoderModel.ForwardState
    /// The last layer's hidden states, [rows × hidden], the sequences packed one after another.
    package var lastHidden: UnsafePointer<Float> { UnsafePointer(state.lastHidden) }
    package var rows: Int { state.rows }
    package var lengths: [Int] { state.lengths }
}

extension EncoderModel {
    /// Forward only (for task heads): the last hidden states of `sequences`, packed.
    package func encode(_ sequences: [[Int32]], dropout: Bool, random: inout SeededRandom) throws -> EncoderPass {
        try BLASThreads.singleThreaded { EncoderPass(state: try forward(sequences, dropout: dropout, random: &random)) }
    }

    /// ∂L/∂ξ [layers × heads] (a switched-off head's at ξ = 0) from dL/d(last hidden states) of `pass`, no
    /// parameter gradient: head importance for a task head's loss.
    package func headGateGradient(_ pass: EncoderPass, lastHiddenGradient: UnsafePointer<Float>) -> [Float] {
        let c = config
        pass.state.activations.gradOut.pointer.update(from: lastHiddenGradient, count: pass.rows * c.hiddenSize)
        var gate = [Float](repeating: 0, count: c.numLayers * c.numHeads)
        gate.withUnsafeMutableBufferPointer { gate in
            BLASThreads.singleThreaded { backward(pass.state, target: .headGatesOnly, headGateGradient: gate.baseAddress!) }
        }
        return gate
    }

    /// Backward from dL/d(last hidden states) ([rows × hidden]) of `pass`, adding the gradients of
    /// `groups` into `gradient` (the parameter block's layout).
    package func backward(_ pass: EncoderPass, lastHiddenGradient: UnsafePointer<Float>, groups: Set<ParameterGroup>,
                          gradient: UnsafeMutablePointer<Float>) {
        let c = config
        pass.state.activations.gradOut.pointer.update(from: lastHiddenGradient, count: pass.rows * c.hiddenSize)
        var gate = [Float](repeating: 0, count: c.numLayers * c.numHeads)
        gate.withUnsafeMutableBufferPointer { gate in
            BLASThreads.singleThreaded {
                backward(pass.state, target: .block(gradient, groups), headGateGradient: gate.baseAddress!)
            }
        }
    }
}
