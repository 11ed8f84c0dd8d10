import Dispatch

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
}
