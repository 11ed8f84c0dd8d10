import XSNSStorage

/// What the Fisher information is the information of: the masked-LM loss (X-SNS's default), or the loss
/// of a randomly initialised, frozen classification layer on the encoder's last hidden states predicting
/// random labels (the paper's task-layer variant, `compute --objective random-head`): at every non-special
/// token (`token`, as for POS or NER) or at the first token only (`sequence`, as for NLI).
public enum FisherObjective: Sendable {
    case maskedLM
    case randomHead(RandomClassificationHead)
}

/// A linear layer [labels × hidden] + bias on the last hidden states, frozen; its cross-entropy against
/// the sentence's labels is the loss whose θ gradients the Fisher estimator squares.
public struct RandomClassificationHead: Sendable {
    public enum Level: String, Codable, Sendable, CaseIterable { case token, sequence }

    public let labels: Int
    public let hidden: Int
    public let level: Level
    /// [labels × hidden] row-major, then [labels].
    public let weight: [Float]
    public let bias: [Float]

    /// Hugging Face's initialisation of a classifier (weights N(0, 0.02²), bias 0), drawn from `seed`: every
    /// language's run with the same seed uses the same head.
    public init(labels: Int, hidden: Int, level: Level, seed: UInt64) throws {
        var random = SeededRandom(seed: seed ^ 0x4EAD_C1A5_5EED_0001)
        try self.init(labels: labels, hidden: hidden, level: level,
                      weight: (0..<(labels * hidden)).map { _ in random.nextNormal(standardDeviation: 0.02) },
                      bias: [Float](repeating: 0, count: labels))
    }

    public init(labels: Int, hidden: Int, level: Level, weight: [Float], bias: [Float]) throws {
        guard labels >= 2 else { throw InputError("--num-labels must be at least 2, got \(labels)") }
        guard weight.count == labels * hidden, bias.count == labels else {
            throw InputError("a random head of \(labels) labels needs \(labels * hidden) weights and \(labels) biases")
        }
        self.labels = labels
        self.hidden = hidden
        self.level = level
        self.weight = weight
        self.bias = bias
    }

    /// The sentence's random labels: one per non-special token (`token`) or at position 0 (`sequence`),
    /// drawn from `random` in position order; −100 elsewhere.
    func label(_ ids: [Int32], special: Set<Int32>, random: inout SeededRandom) -> MaskedSequence {
        var labels = [Int32](repeating: MaskedSequence.ignoredLabel, count: ids.count)
        switch level {
        case .token:
            for (t, id) in ids.enumerated() where !special.contains(id) { labels[t] = Int32(random.nextInt(below: self.labels)) }
        case .sequence:
            if !ids.isEmpty { labels[0] = Int32(random.nextInt(below: self.labels)) }
        }
        return MaskedSequence(inputIds: ids, labels: labels)
    }

    /// Adds d(Σ_groups group loss / group count)/d(hidden) at the target rows; returns each group's loss sum.
    func lossAndGradient(hidden states: UnsafePointer<Float>, targets: [MaskedLMHead.Target], groupCounts: [Int],
                         hiddenGradient: UnsafeMutablePointer<Float>) -> [Double] {
        var losses = [Double](repeating: 0, count: groupCounts.count)
        var logits = [Float](repeating: 0, count: labels)
        weight.withUnsafeBufferPointer { w in
            for target in targets {
                let x = states + target.row * hidden
                for k in 0..<labels {
                    var sum = bias[k]
                    let row = w.baseAddress! + k * hidden
                    for j in 0..<hidden { sum += row[j] * x[j] }
                    logits[k] = sum
                }
                var label = target.label
                logits.withUnsafeMutableBufferPointer { z in
                    losses[target.group] += CrossEntropy.forward(z.baseAddress!, labels: &label, rows: 1, classes: labels)
                    CrossEntropy.backward(z.baseAddress!, labels: &label, rows: 1, classes: labels,
                                          scale: 1 / Float(groupCounts[target.group]))
                }
                let dx = hiddenGradient + target.row * hidden
                for k in 0..<labels {
                    let g = logits[k], row = w.baseAddress! + k * hidden
                    for j in 0..<hidden { dx[j] += g * row[j] }
                }
            }
        }
        return losses
    }
}

extension EncoderModel {
    /// Every labelled position of the packed `sequences` as a row target, and the labelled count of each
    /// of `groups`; labels must lie in [0, classes).
    static func targets(_ sequences: [MaskedSequence], groups: SequenceGroups, classes: Int, what: String) throws
        -> (targets: [MaskedLMHead.Target], counts: [Int])
    {
        var targets: [MaskedLMHead.Target] = []
        var counts = [Int](repeating: 0, count: groups.count)
        var row = 0
        for (index, sequence) in sequences.enumerated() {
            let group = groups.groupOfSequence[index]
            for (t, label) in sequence.labels.enumerated() where label != MaskedSequence.ignoredLabel {
                guard label >= 0, Int(label) < classes else {
                    throw InputError("label \(label) is outside \(what) (size \(classes))")
                }
                targets.append(.init(row: row + t, label: label, group: group))
                counts[group] += 1
            }
            row += sequence.inputIds.count
        }
        precondition(targets.isEmpty || !counts.contains(0), "every gradient group needs a label")
        return (targets, counts)
    }

}
