import Foundation
import XSNSEngine

/// Where a `compute` spends its wall time, for `xsns bench --compute`: each stage's seconds, summed over
/// the job's runs, and the process's CPU time (user + system, every thread) meanwhile, which shows how
/// many cores a stage kept busy. Measuring costs two clock reads and two `getrusage` calls per stage and
/// sentence.
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
    private var cpuSeconds: [Stage: Double] = [:]

    public init() {}

    @discardableResult
    func measure<T>(_ stage: Stage, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds, startCPU = EncoderBenchmark.processCPUSeconds()
        defer {
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let cpu = EncoderBenchmark.processCPUSeconds() - startCPU
            lock.withLock {
                seconds[stage, default: 0] += elapsed
                cpuSeconds[stage, default: 0] += cpu
            }
        }
        return try body()
    }

    /// Wall seconds per stage.
    public var totals: [Stage: Double] { lock.withLock { seconds } }
    /// CPU seconds (user + system, all threads) per stage.
    public var cpuTotals: [Stage: Double] { lock.withLock { cpuSeconds } }
}
