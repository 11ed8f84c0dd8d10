import Foundation
import XSNSCompute
import XSNSTUI

/// Runs `ComputeJob` on a background thread for the workbench: start or resume, pause (the job
/// checkpoints at the next sentence and returns), cancel, and stop-and-wait on quit.
public final class ComputeController: @unchecked Sendable {
    /// Why a running job was asked to stop; decides what is reported when it returns.
    private enum StopReason {
        case pause, cancel, restart, shutdown
    }

    private let makeRequest: @Sendable () -> ComputeRequest
    private let post: @Sendable (EngineEvent) -> Void
    private let runCompleted: @Sendable (String, Int) -> Void
    private let lock = NSLock()
    private var stop: StopSignal?
    private var reason: StopReason?
    private var running = DispatchGroup()
    /// Live progress of the running job, language → seed → (done, total).
    private var live: [String: [Int: SeedProgress]] = [:]
    /// Languages this job has worked on so far (several at once with `--jobs`).
    private var current: Set<String> = []
    private var stability: [String: Double] = [:]
    private var mapper = ComputeEventMapper(seeds: [])

    /// `request` is asked afresh at every start (the language list may have grown);
    /// `runCompleted` is called on the compute thread after each (language, seed) is written.
    public init(
        request: @escaping @Sendable () -> ComputeRequest, post: @escaping @Sendable (EngineEvent) -> Void,
        runCompleted: @escaping @Sendable (String, Int) -> Void
    ) {
        makeRequest = request
        self.post = post
        self.runCompleted = runCompleted
    }

    public var isRunning: Bool { lock.withLock { stop != nil } }

    /// The languages being computed now by this workbench.
    public var currentLanguages: Set<String> { lock.withLock { current } }

    /// Progress seen in this process, for languages the manifest has not caught up with yet.
    public var liveProgress: [String: [Int: SeedProgress]] { lock.withLock { live } }

    /// The latest stability measured per language in this process (the session does not store it).
    public var liveStability: [String: Double] { lock.withLock { stability } }

    /// Starts (or resumes from the checkpoints) unless a job is already running.
    public func start() {
        let signal = StopSignal()
        let group: DispatchGroup? = lock.withLock {
            guard stop == nil else { return nil }
            stop = signal
            reason = nil
            running = DispatchGroup()
            running.enter()
            return running
        }
        guard let group else { return }
        post(.started)
        let thread = Thread { [self] in
            execute(signal)
            group.leave()
        }
        // The encoder recurses little, but a base model's activations sit on the heap anyway;
        // a generous stack only guards against platform defaults that are small for threads.
        thread.stackSize = 16 << 20
        thread.start()
    }

    public func pause() { requestStop(.pause) }
    public func cancel() { requestStop(.cancel) }

    /// Stops the running job (it checkpoints) and starts again with a fresh request.
    public func restart() { requestStop(.restart) }

    /// Stops the job and waits until it has checkpointed and returned.
    public func shutdown() {
        requestStop(.shutdown)
        let group = lock.withLock { running }
        group.wait()
    }

    private func requestStop(_ why: StopReason) {
        lock.withLock {
            guard let stop else { return }
            // Quitting wins over any earlier request; otherwise the first request decides.
            if reason == nil || why == .shutdown { reason = why }
            stop.stop()
        }
    }

    private func execute(_ signal: StopSignal) {
        let request = makeRequest()
        lock.withLock { mapper = ComputeEventMapper(seeds: request.options.seeds) }
        let job = ComputeJob(request, stop: signal) { [self] event in
            let (events, completed) = lock.withLock { () -> ([EngineEvent], (language: String, seed: Int)?) in
                let mapped = mapper.map(event)
                record(mapped.events)
                return mapped
            }
            for engineEvent in events { post(engineEvent) }
            if let completed { runCompleted(completed.language, completed.seed) }
        }
        var failure: Error?
        do { _ = try job.run() } catch { failure = error }
        let why = lock.withLock { () -> StopReason? in
            let why = reason
            stop = nil
            reason = nil
            current = []
            return why
        }
        if let failure {
            post(.failed(language: nil, message: "\(failure)"))
            return
        }
        switch why {
        case .pause: post(.paused)
        case .cancel: post(.cancelled)
        case .restart: start()
        case .shutdown: break
        case nil: post(.finished)
        }
    }

    /// Keeps the live progress and stability tables and the current language (called under the lock).
    private func record(_ events: [EngineEvent]) {
        for event in events {
            switch event {
            case .progress(let language, let seed, let done, let total, let rate):
                live[language, default: [:]][seed] = SeedProgress(
                    seed: seed, sentencesDone: done, sentencesTotal: total, sentencesPerSecond: rate)
                // A language stays current from its first progress until the job ends (a finished one shows
                // as done all the same): between its seeds it is still this job's.
                current.insert(language)
            case .stability(let language, let value):
                stability[language] = value
            default:
                break
            }
        }
    }
}
