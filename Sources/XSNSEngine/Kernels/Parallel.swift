import Dispatch

/// Splits kernels into one large contiguous chunk per thread, with OpenBLAS itself single-threaded.
///
/// Why not let OpenBLAS thread each GEMM: the encoder's GEMMs are small (a few hundred rows), and on a
/// two-core machine OpenBLAS's per-call thread synchronisation gave almost nothing over one thread.
/// One split per op costs one join instead, and the partition depends only on the thread count, so
/// results are reproducible for a given `threads`.
package struct Parallel {
    package let threads: Int

    package init(threads: Int) { self.threads = threads }

    package static let serial = Parallel(threads: 1)

    /// How many chunks `split` makes of `count` items.
    package func chunks(_ count: Int, grain: Int = 1) -> Int { max(1, min(threads, count / max(grain, 1))) }

    /// Calls `body` with disjoint ranges covering 0..<count (at most `threads` of them, each at least
    /// `grain` long unless count is smaller), concurrently.
    package func split(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        splitIndexed(count, grain: grain) { _, range in body(range) }
    }

    /// `split`, also passing each range's chunk index (for per-chunk partial results).
    package func splitIndexed(_ count: Int, grain: Int = 1, _ body: (Int, Range<Int>) -> Void) {
        let chunks = chunks(count, grain: grain)
        guard chunks > 1 else {
            if count > 0 { body(0, 0..<count) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            let shared = UncheckedSendable(escapable)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let lower = count * chunk / chunks, upper = count * (chunk + 1) / chunks
                shared.value(chunk, lower..<upper)
            }
        }
    }
}

/// Lets a closure over raw pointers cross into `concurrentPerform`: every chunk writes a disjoint range.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
