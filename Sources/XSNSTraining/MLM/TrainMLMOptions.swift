import Foundation
import XSNSStorage

/// Everything that determines an `xsns train-mlm` run (the thread count aside: it only changes
/// rounding). Stored in the output's `.train-state/options.json`; a resumed run must match it.
public struct TrainMLMOptions: Codable, Equatable, Sendable {
    public var model: String
    public var corpora: String
    public var languages: [String]
    public var steps: Int
    public var batchSize = 8
    public var learningRate = 5e-5
    public var weightDecay = 0.0
    public var warmupSteps = 0
    public var clipNorm = 0.0
    public var maxLength = 512
    public var maskProbability = 0.15
    public var scope: TrainingScope = .all
    public var seed: UInt64 = 1
    public var recordInputs = false
    /// Sparse fine-tuning on a session's sub-network or head mask; nil: every trained parameter may change.
    public var sparseMask: SparseMaskSpec?

    public init(model: String, corpora: String, languages: [String], steps: Int) {
        self.model = model
        self.corpora = corpora
        self.languages = languages
        self.steps = steps
    }

    /// Throws an `InputError` naming the first option out of range.
    public func validate() throws {
        guard !languages.isEmpty else { throw InputError("--langs names no language") }
        guard steps >= 1 else { throw InputError("--steps must be at least 1, got \(steps)") }
        guard batchSize >= 1 else { throw InputError("--batch-size must be at least 1, got \(batchSize)") }
        guard learningRate >= 0, learningRate.isFinite else { throw InputError("--lr must be ≥ 0, got \(learningRate)") }
        guard weightDecay >= 0, weightDecay.isFinite else {
            throw InputError("--weight-decay must be ≥ 0, got \(weightDecay)")
        }
        guard warmupSteps >= 0 else { throw InputError("--warmup-steps must be ≥ 0, got \(warmupSteps)") }
        guard clipNorm >= 0, clipNorm.isFinite else { throw InputError("--clip-norm must be ≥ 0 (0: off), got \(clipNorm)") }
        guard maxLength >= 3 else { throw InputError("--max-length must be at least 3, got \(maxLength)") }
        guard maskProbability > 0, maskProbability <= 1 else {
            throw InputError("--mask-prob must be in (0, 1], got \(maskProbability)")
        }
        guard scope != .adapters else { throw InputError("--train takes all, encoder or theta") }
    }

    /// The names of the options that differ from `other`.
    func differences(from other: TrainMLMOptions) -> [String] {
        var names: [String] = []
        func check<T: Equatable>(_ name: String, _ a: T, _ b: T) { if a != b { names.append(name) } }
        check("--model", model, other.model)
        check("--corpora", corpora, other.corpora)
        check("--langs", languages, other.languages)
        check("--steps", steps, other.steps)
        check("--batch-size", batchSize, other.batchSize)
        check("--lr", learningRate, other.learningRate)
        check("--weight-decay", weightDecay, other.weightDecay)
        check("--warmup-steps", warmupSteps, other.warmupSteps)
        check("--clip-norm", clipNorm, other.clipNorm)
        check("--max-length", maxLength, other.maxLength)
        check("--mask-prob", maskProbability, other.maskProbability)
        check("--train", scope, other.scope)
        check("--seed", seed, other.seed)
        check("--record-inputs", recordInputs, other.recordInputs)
        check(sparseMask?.kind == .heads || other.sparseMask?.kind == .heads ? "--head-mask" : "--sparse-mask",
              sparseMask, other.sparseMask)
        return names
    }
}
