import Foundation

/// What `xsns status` shows of each (language, seed) a session plans: from the manifest, the claim files
/// (a live holder means running) and the Fisher files, without taking any lock.
public struct SessionStatus: Sendable {
    public enum State: String, Sendable {
        /// Not started.
        case pending
        /// Waiting in a cluster's queue (Slurm).
        case queued
        case running
        /// Stopped with a checkpoint, or its process died: the same command resumes it.
        case interrupted
        case done
        case failed
    }

    public struct Run: Sendable {
        public var language: String
        public var seed: Int
        public var state: State
        public var sentences: Int
        /// Who computes it (running), or why it stopped (interrupted, failed).
        public var detail: String?

        public init(language: String, seed: Int, state: State, sentences: Int, detail: String?) {
            self.language = language
            self.seed = seed
            self.state = state
            self.sentences = sentences
            self.detail = detail
        }
    }

    public private(set) var runs: [Run]

    /// Adds what a cluster queue says of runs that no local process holds (and of runs the manifest does
    /// not plan yet, as a cluster task records them only when it starts): `states` maps (language, seed) to
    /// whether the task runs now and a description of it.
    public mutating func merge(queue states: [Pair: (running: Bool, detail: String)]) {
        for (pair, queued) in states where !runs.contains(where: { $0.language == pair.language && $0.seed == pair.seed }) {
            runs.append(Run(language: pair.language, seed: pair.seed, state: .pending, sentences: 0, detail: nil))
        }
        runs.sort { ($0.language, $0.seed) < ($1.language, $1.seed) }
        for index in runs.indices where runs[index].state != .done && runs[index].state != .running {
            guard let queued = states[Pair(language: runs[index].language, seed: runs[index].seed)] else { continue }
            runs[index].state = queued.running ? .running : .queued
            runs[index].detail = queued.detail
        }
    }

    /// A (language, seed).
    public struct Pair: Codable, Hashable, Sendable {
        public var language: String
        public var seed: Int

        public init(language: String, seed: Int) {
            self.language = language
            self.seed = seed
        }
    }

    public init(store: SessionStore) throws {
        let manifest = try store.load()
        let seeds = manifest.options?.seeds ?? []
        var planned = Set(manifest.runs.map { Pair(language: $0.language, seed: $0.seed) })
        var pairs = manifest.runs.map { ($0.language, $0.seed) }
        for language in (manifest.corpora?.files.keys.sorted() ?? []) {
            for seed in seeds where planned.insert(Pair(language: language, seed: seed)).inserted { pairs.append((language, seed)) }
        }
        runs = pairs.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { language, seed in
            let record = manifest.run(language: language, seed: seed)
            let holder = RunClaim.recordedHolder(store.paths.claim(language: language, seed: seed))
            let fisherDone = FileManager.default.fileExists(atPath: store.paths.fisher(language: language, seed: seed).path)
            var run = Run(language: language, seed: seed, state: .pending, sentences: record?.sentences ?? 0, detail: nil)
            if record?.status == .done && fisherDone {
                run.state = .done
            } else if let holder, holder.alive {
                run.state = .running
                run.detail = "\(holder.owner)"
            } else if let record {
                switch record.status {
                case .failed:
                    run.state = .failed
                    run.detail = record.message
                case .running, .interrupted:
                    run.state = .interrupted
                    run.detail = record.status == .running
                        ? "its process is gone (pid \(record.pid.map(String.init) ?? "?") on \(record.host ?? "?")); the same command resumes it"
                        : record.message
                case .pending, .done:
                    run.state = record.sentences > 0 ? .interrupted : .pending
                }
            }
            return run
        }
    }

    public var isFinished: Bool { runs.allSatisfy { $0.state == .done } }
    /// Appends `note(language, seed)` to the detail of failed and interrupted runs (e.g. a cluster task's log).
    public mutating func annotate(_ note: (String, Int) -> String?) {
        for index in runs.indices where runs[index].state == .failed || runs[index].state == .interrupted {
            guard let text = note(runs[index].language, runs[index].seed) else { continue }
            runs[index].detail = [runs[index].detail, text].compactMap { $0 }.joined(separator: "; ")
        }
    }

    /// Whether something still works on a run (here or in a cluster queue).
    public var isRunning: Bool { runs.contains { $0.state == .running || $0.state == .queued } }
}
