import XSNSAnalysis
import XSNSStorage

/// What one evaluation of the model at a head mask gives the pruning loop.
public struct HeadEvaluation: Sendable {
    public var correct: Int
    public var predicted: Int
    /// Mean cross-entropy over the predicted tokens.
    public var loss: Double
    /// Σ over batches of |∂loss_b/∂ξ|, [layers × heads] row by row.
    public var importance: [Double]

    public init(correct: Int, predicted: Int, loss: Double, importance: [Double]) {
        self.correct = correct
        self.predicted = predicted
        self.loss = loss
        self.importance = importance
    }

    public var accuracy: Double { predicted == 0 ? 0 : Double(correct) / Double(predicted) }
}

/// Michel et al.'s (2019) iterative head pruning, as Choenni et al. find a language's sub-network with it:
/// from every head on, repeatedly switch off the `step` fraction of the remaining heads with the lowest
/// importance (measured at the current mask), and keep the last mask whose accuracy is at least `keep` ×
/// the unpruned model's. Differences from `run_bertology.py`, on purpose: the fraction is of the heads still
/// on (the definition; Michel et al.'s script takes it of all heads), and there is no global
/// min–max rescaling (it never changes the order).
public enum HeadPruning {
    /// Each layer's importance divided by its L2 norm (+1e-20), switched-off heads included, as Michel et
    /// al. do; `importance` is [layers × heads] row by row.
    public static func normalisedPerLayer(_ importance: [Double], heads: Int) -> [Double] {
        stride(from: 0, to: importance.count, by: heads).flatMap { start -> [Double] in
            let layer = importance[start..<(start + heads)]
            let norm = layer.reduce(0) { $0 + $1 * $1 }.squareRoot() + 1e-20
            return layer.map { $0 / norm }
        }
    }

    /// The heads (flat indices) the next step switches off: ⌊remaining × step⌋ (at least one) of the heads
    /// still on, least important first, ties by index. Nil when that would leave no head on.
    public static func headsToSwitchOff(mask: [Bool], importance: [Double], step: Double) -> [Int]? {
        let remaining = mask.filter { $0 }.count
        let count = max(1, Int((Double(remaining) * step + 1e-9).rounded(.down)))
        guard remaining - count >= 1 else { return nil }
        let candidates = mask.indices.filter { mask[$0] }
        let sorted = candidates.sorted { (importance[$0], $0) < (importance[$1], $1) }
        return Array(sorted.prefix(count))
    }

    /// Continues `record` (empty: from the unpruned model) until it stops; `evaluate` gives the model's
    /// evaluation at a mask ([layers × heads], true = on), `saved` is called after every step (the record
    /// is complete and consistent each time, so a run stopped between steps resumes exactly). Returns
    /// false when `shouldStop` asked to stop first.
    @discardableResult
    public static func run(
        _ record: inout HeadPruningRecord, evaluate: ([Bool]) throws -> HeadEvaluation,
        saved: (HeadPruningRecord) throws -> Void, shouldStop: () -> Bool = { false }
    ) throws -> Bool {
        let settings = record.settings, heads = record.heads
        func step(_ mask: [Bool], accepted: (Double) -> Bool) throws -> HeadPruningStep {
            let result = try evaluate(mask)
            guard result.importance.count == mask.count else { throw InputError("importance has the wrong shape") }
            return HeadPruningStep(
                mask: rows(mask.map { $0 ? 1 : 0 }, heads), correct: result.correct, predicted: result.predicted,
                loss: result.loss, importance: rows(result.importance, heads), accepted: accepted(result.accuracy))
        }
        if record.steps.isEmpty {
            if shouldStop() { return false }
            record.steps.append(try step([Bool](repeating: true, count: record.layers * heads)) { _ in true })
            try saved(record)
        }
        let threshold = settings.keep * record.steps[0].accuracy
        while !record.finished {
            let last = record.steps[record.steps.count - 1]
            guard last.accepted else {
                record.stop = HeadPruningRecord.StopReason.belowKeep.rawValue
                break
            }
            let mask = last.mask.flatMap { $0.map { $0 != 0 } }
            let raw = last.importance.flatMap { $0 }
            let importance = settings.normalise ? normalisedPerLayer(raw, heads: heads) : raw
            guard let off = headsToSwitchOff(mask: mask, importance: importance, step: settings.step) else {
                record.stop = HeadPruningRecord.StopReason.oneStepFromNoHeads.rawValue
                break
            }
            if shouldStop() { return false }
            var next = mask
            for index in off { next[index] = false }
            record.steps.append(try step(next) { $0 >= threshold })
            if !record.steps[record.steps.count - 1].accepted { record.stop = HeadPruningRecord.StopReason.belowKeep.rawValue }
            try saved(record)
        }
        try saved(record)
        return true
    }

    private static func rows<T>(_ flat: [T], _ width: Int) -> [[T]] {
        stride(from: 0, to: flat.count, by: width).map { Array(flat[$0..<($0 + width)]) }
    }
}
