import Foundation
import XSNSSession

extension SessionStatus {
    /// The session's own files merged with what the Slurm queue says of the session's submitted jobs (one
    /// `squeue` call, none without submissions), each failed run annotated with its log. `queueProblem`
    /// says why the queue could not be asked (a copied session, a machine without Slurm).
    public static func withQueue(store: SessionStore) throws -> (status: SessionStatus, queueProblem: String?) {
        var status = try SessionStatus(store: store)
        let jobs = try SlurmJobs.load(session: store.folder)
        var queue: [SessionStatus.Pair: (running: Bool, detail: String)] = [:]
        var problem: String?
        do {
            for (pair, task) in try jobs.queueStates() {
                let node = task.node.isEmpty ? "" : " on \(task.node)"
                queue[pair] = (task.running, "Slurm \(task.task) \(task.state)\(node)")
            }
        } catch {
            problem = "the Slurm queue is unknown here (\(error)); showing the session's files only"
        }
        status.merge(queue: queue)
        status.annotate { language, seed in
            jobs.log(of: .init(language: language, seed: seed), session: store.folder).map { "log: \($0.path)" }
        }
        return (status, problem)
    }
}
