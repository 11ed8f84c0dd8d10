import XSNSStorage

/// Which Fisher estimator to run (DESIGN.md, "Estimators").
public enum EstimatorKind: String, CaseIterable, Codable, Sendable {
    /// The published reference behaviour: batches, dropout on, per-tensor clipping.
    case xsns
    /// Empirical Fisher: per-sentence squared gradients, dropout off.
    case exact
}

/// Every option of `xsns compute`; recorded in the session so a run can be reproduced.
public struct ComputeOptions: Codable, Equatable, Sendable {
    public var sentences = 1024
    public var seeds = [42, 16, 10]
    public var estimator = EstimatorKind.xsns
    public var batchSize = 4
    public var maxLength = 512
    public var maskProbability = 0.15
    public var recordInputs = false
    public var threads = 1

    public init() {}

    /// Rejects values no run could use, naming the option.
    public func validate() throws {
        guard sentences > 0 else { throw InputError("--sentences must be at least 1") }
        guard !seeds.isEmpty else { throw InputError("--seeds needs at least one seed") }
        guard Set(seeds).count == seeds.count else { throw InputError("--seeds lists a seed twice") }
        guard seeds.allSatisfy({ $0 >= 0 }) else { throw InputError("--seeds must be non-negative") }
        guard batchSize >= 1 else { throw InputError("--batch-size must be at least 1") }
        guard maxLength >= 3 else { throw InputError("--max-length must be at least 3") }
        guard maskProbability > 0, maskProbability < 1 else {
            throw InputError("--mask-prob must be between 0 and 1 (exclusive)")
        }
        guard (1...256).contains(threads) else { throw InputError("--threads must be between 1 and 256") }
    }
}
