import Dispatch
import Foundation

/// Runs independent jobs on all cores and collects their results in job order.
public enum ParallelMap {
    public static func map<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        nonisolated(unsafe) let slots = results
        DispatchQueue.concurrentPerform(iterations: count) { job in slots[job] = body(job) }
        // Moved out, not copied: the buffer must not keep a reference to any result (it would leak them).
        let collected = (0..<count).map { (results.baseAddress! + $0).move()! }
        results.deallocate()
        return collected
    }

    /// `map`, telling `finished` (the job's result, jobs finished so far) after each job, from the worker
    /// that ran it: progress for maps that take seconds.
    public static func map<T: Sendable>(
        _ count: Int, finished: @Sendable (T, Int) -> Void, _ body: @Sendable (Int) -> T
    ) -> [T] {
        let counter = NSLock()
        nonisolated(unsafe) var done = 0
        return map(count) { job in
            let result = body(job)
            finished(result, counter.withLock { done += 1; return done })
            return result
        }
    }
}
