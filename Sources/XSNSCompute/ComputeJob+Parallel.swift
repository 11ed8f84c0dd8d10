import Foundation
import XSNSEngine

extension ComputeJob {
    /// The runs one after another, or `request.jobs` at a time, each worker with its own model over the
    /// shared parameters and `threads / jobs` threads. The first error stops the others from starting.
    func computeAll(_ pairs: [(corpus: Corpus, seed: Int)], context: Context) throws -> [ComputeSummary.Outcome] {
        let workers = min(max(1, request.jobs), pairs.count)
        guard workers > 1 else {
            return try pairs.map { pair in
                stopSignal.isStopped ? .interrupted : try computeRun(corpus: pair.corpus, seed: pair.seed, context: context)
            }
        }
        let threads = max(1, request.options.threads / workers)
        BLASThreads.set(1)
        let queue = RunQueue(count: pairs.count)
        // Workers only read the shared context (model parameters, tokenizer, store), each with its own model.
        let shared = SharedContext(context: context, pairs: pairs)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let local = shared.context.with(model: EncoderModel(parameters: shared.context.model.parameters, threads: threads))
            while let index = queue.next() {
                if stopSignal.isStopped { continue }
                do {
                    let pair = shared.pairs[index]
                    queue.finish(index, try computeRun(corpus: pair.corpus, seed: pair.seed, context: local))
                } catch {
                    queue.fail(error)
                }
            }
        }
        return try queue.outcomes()
    }
}

/// Hands out run indices to the workers of `computeAll` and collects their outcomes; after a failure it
/// hands out no more.
private final class RunQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private let count: Int
    private var results: [ComputeSummary.Outcome]
    private var failure: Error?

    init(count: Int) {
        self.count = count
        results = Array(repeating: .interrupted, count: count)
    }

    func next() -> Int? {
        lock.withLock {
            guard failure == nil, nextIndex < count else { return nil }
            nextIndex += 1
            return nextIndex - 1
        }
    }

    func finish(_ index: Int, _ outcome: ComputeSummary.Outcome) { lock.withLock { results[index] = outcome } }

    func fail(_ error: Error) { lock.withLock { failure = failure ?? error } }

    func outcomes() throws -> [ComputeSummary.Outcome] {
        try lock.withLock {
            if let failure { throw failure }
            return results
        }
    }
}

/// What the workers share, read-only.
private struct SharedContext: @unchecked Sendable {
    let context: ComputeJob.Context
    let pairs: [(corpus: Corpus, seed: Int)]
}
