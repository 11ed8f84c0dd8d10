import XSNSStorage

/// The masked-LM forward and backward passes that produce gradients: per group of sequences to a sink
/// (the Fisher estimators), or into a parameter-block buffer (training).
extension EncoderModel {
    /// Receives each θ tensor's gradient as soon as the backward pass has formed it: the tensor's offset in
    /// θ, its element count, the group it belongs to and the values, valid only during the call.
    /// Consuming gradients tensor by tensor keeps them in cache and avoids a θ-sized gradient buffer.
    typealias GradientSink = (_ offset: Int, _ count: Int, _ group: Int, _ values: UnsafePointer<Float>) -> Void

    /// Forward and backward of the masked-LM loss over every sequence of `groups`, packed into one pass,
    /// with one loss per group (the mean over its predicted tokens) and one gradient per group and θ
    /// tensor; every group must predict at least one token (nil, and nothing touched, when none does).
    /// dL/dξ is added to `headGateGradient`, [groups × layers × heads]. With `dropout`, the config's
    /// probabilities apply, each group's drawn from its own stream in `streams` (one per group), so a
    /// group's dropout does not depend on what else the pass holds. Returns the mean loss of each group.
    func gradients(
        _ groups: [[MaskedSequence]], dropout: Bool, streams: inout [SeededRandom],
        headGateGradient: UnsafeMutablePointer<Float>, objective: FisherObjective = .maskedLM, sink: @escaping GradientSink
    ) throws -> [Double]? {
        try gradients(groups.flatMap { $0 }, target: .perTensor(SequenceGroups(sizes: groups.map(\.count)), sink),
                      dropout: dropout, streams: &streams, headGateGradient: headGateGradient, objective: objective)
    }

    /// The masked-LM pass behind training: one dropout stream for the whole pass.
    func gradients(
        _ sequences: [MaskedSequence], target: GradientTarget, dropout: Bool, random: inout SeededRandom,
        headGateGradient: UnsafeMutablePointer<Float>, predictions: UnsafeMutablePointer<Int32>? = nil
    ) throws -> [Double]? {
        var streams = [random]
        defer { random = streams[0] }
        return try gradients(sequences, target: target, dropout: dropout, streams: &streams,
                             headGateGradient: headGateGradient, predictions: predictions)
    }

    /// The masked-LM pass: parameter gradients go where `target` says; one dropout stream per group of
    /// `target` (every stream of one group when the target has no groups).
    func gradients(
        _ sequences: [MaskedSequence], target: GradientTarget, dropout: Bool, streams: inout [SeededRandom],
        headGateGradient: UnsafeMutablePointer<Float>, predictions: UnsafeMutablePointer<Int32>? = nil,
        objective: FisherObjective = .maskedLM
    ) throws -> [Double]? {
        var randomHead: RandomClassificationHead?
        if case .randomHead(let head) = objective { randomHead = head }
        let groups = target.groups(sequences: sequences.count)
        let (targets, counts) = try Self.targets(
            sequences, groups: groups, classes: randomHead?.labels ?? config.vocabSize,
            what: randomHead == nil ? "the vocabulary" : "the random head's labels")
        guard !targets.isEmpty else { return nil }
        let lossSums = try BLASThreads.singleThreaded { () throws -> [Double] in
            let state = try forward(sequences.map(\.inputIds), types: sequences.map(\.typeIds), groups: groups,
                                    dropout: dropout, streams: &streams)
            let h = config.hiddenSize
            let last = state.lastHidden
            let gradOut = state.activations.gradOut.pointer
            gradOut.update(repeating: 0, count: state.rows * h)
            var headGradient: MaskedLMHead.ParameterGradient?
            if case .block(let gradient, let groups) = target {
                headGradient = .init(block: gradient, head: groups.contains(.head),
                                     tiedDecoder: groups.contains(.embeddings))
            }
            let sums = randomHead?.lossAndGradient(hidden: last, targets: targets, groupCounts: counts, hiddenGradient: gradOut)
                ?? head.lossAndGradient(hidden: last, targets: targets, groupCounts: counts,
                                        hiddenGradient: gradOut, parameterGradient: headGradient,
                                        predictions: predictions, scratch: scratch, parallel: parallel)
            if target.reachesEncoder { backward(state, target: target, headGateGradient: headGateGradient) }
            return sums
        }
        return zip(lossSums, counts).map { $0 / Double($1) }
    }

    /// The gradient of the mean loss over all predicted tokens, written into a θ-sized buffer
    /// (every entry overwritten); nil when nothing is predicted.
    func lossAndGradient(
        _ sequences: [MaskedSequence], dropout: Bool, random: inout SeededRandom,
        gradient: UnsafeMutablePointer<Float>, headGateGradient: UnsafeMutablePointer<Float>
    ) throws -> Double? {
        var streams = [random]
        defer { random = streams[0] }
        return try gradients([sequences], dropout: dropout, streams: &streams,
                             headGateGradient: headGateGradient) { offset, count, _, values in
            (gradient + offset).update(from: values, count: count)
        }?.first
    }
}
