import Foundation
import XSNSSession
import XSNSStorage

/// The Slurm array jobs submitted for a session, `slurm/submissions.json`: each job's id and the
/// (language, seed) of each of its tasks, in task order.
public struct SlurmJobs: Codable, Sendable {
    public typealias Pair = SessionStatus.Pair

    public struct Job: Codable, Sendable {
        public var id: String
        public var tasks: [Pair]
        public var script: String
        public var submitted: String
    }

    public var jobs: [Job] = []

    public static func url(session: URL) -> URL { session.appendingPathComponent("slurm/submissions.json") }

    public static func load(session: URL) throws -> SlurmJobs {
        let url = url(session: session)
        guard FileManager.default.fileExists(atPath: url.path) else { return SlurmJobs() }
        do {
            return try JSONDecoder().decodeScreened(SlurmJobs.self, from: Data(contentsOf: url))
        } catch {
            throw InputError(file: url.path, "unreadable Slurm job record: \(error)")
        }
    }

    func save(session: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileManager.default.createDirectory(at: Self.url(session: session).deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        try AtomicFile.write(try encoder.encode(self), to: Self.url(session: session))
    }

    /// The log of the last task that ran `pair`, when there is one (`logs/<job>_<task>.log`).
    public func log(of pair: Pair, session: URL) -> URL? {
        for job in jobs.reversed() {
            guard let task = job.tasks.firstIndex(of: pair) else { continue }
            let url = session.appendingPathComponent("logs/\(job.id)_\(task).log")
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        return nil
    }

    /// Slurm states of a task that will still run, and of one running now (others are ignored: a finished
    /// task's run is done or failed in the session's own files).
    static let waitingStates: Set = ["PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESIZING",
                                     "SUSPENDED", "SIGNALING", "STAGE_OUT", "PREEMPTED", "SPECIAL_EXIT",
                                     "RESV_DEL_HOLD"]
    static let runningStates: Set = ["RUNNING", "COMPLETING"]

    /// What Slurm says of each task of these jobs that will still run or runs now, in one `squeue` call.
    /// Empty when the session has no jobs; throws when squeue is missing or fails, so that no caller takes
    /// a silent queue for an empty one (and submits again, or stops waiting).
    public func queueStates() throws -> [Pair: (state: String, node: String, task: String, running: Bool)] {
        guard !jobs.isEmpty else { return [:] }
        // squeue refuses a single job id it has forgotten (MinJobAge after the end) but not a list: the id is
        // given twice when it is alone. "Invalid job id" then only means every listed job is long finished.
        let ids = jobs.count == 1 ? [jobs[0].id, jobs[0].id] : jobs.map(\.id)
        let listing: String
        do {
            listing = try SlurmCommand.run("squeue", ["-h", "-r", "-t", "all", "-o", "%i|%T|%N", "-j", ids.joined(separator: ",")])
        } catch let failure as RuntimeFailure where "\(failure)".contains("Invalid job id") {
            return [:]
        }
        var states: [Pair: (String, String, String, Bool)] = [:]
        for line in listing.split(separator: "\n") {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else { continue }
            let running = Self.runningStates.contains(fields[1])
            guard running || Self.waitingStates.contains(fields[1]) else { continue }
            let parts = fields[0].split(separator: "_")
            guard parts.count == 2, let job = jobs.first(where: { $0.id == parts[0] }), let task = Int(parts[1]),
                  task < job.tasks.count else { continue }
            states[job.tasks[task]] = (fields[1], fields[2], fields[0], running)
        }
        return states
    }
}
