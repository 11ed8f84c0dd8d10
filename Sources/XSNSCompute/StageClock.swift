import Foundation

/// Where a `compute` spends its wall time, for `xsns bench --compute`: each stage's seconds, summed over
/// the job's runs. Measuring costs two clock reads per stage and sentence.
public final class StageClock: @unchecked Sendable {
    public enum Stage: String, CaseIterable, Sendable {
        /// Model and tokenizer loading, input hashing, session manifest, lexical counts.
        case prepare
        case tokenize
        /// The Fisher estimator's forward and backward passes (and its accumulation).
        case fisher
        /// The extra forward pass of the EMB baseline.
        case emb
        case stability
        /// Run checkpoints and input recording.
        case checkpoint
        /// Writing the Fisher, head and EMB files and marking the run done.
        case publish
    }

    private let lock = NSLock()
    private var seconds: [Stage: Double] = [:]

    public init() {}

    @discardableResult
    func measure<T>(_ stage: Stage, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            lock.withLock { seconds[stage, default: 0] += elapsed }
        }
        return try body()
    }

    public var totals: [Stage: Double] { lock.withLock { seconds } }
}
