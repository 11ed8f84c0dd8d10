import Foundation
import XSNSCompute
import XSNSSession
import XSNSStorage

/// `xsns compute --slurm`: one Slurm array job, one task per (language, seed) still missing, each task
/// running the same `xsns compute` for its pair into the session. Logs in `<session>/logs/%A_%a.log`.
/// Slurm sends USR1 two minutes before the time limit (and on pre-emption where the cluster's
/// `PreemptParameters=send_user_signal` asks for it); the task stops `xsns` (which checkpoints) and
/// requeues itself, and the requeued task resumes. A plain SIGTERM pre-emption also checkpoints; the
/// task is requeued when the cluster requeues pre-empted jobs.
public struct SlurmSubmission {
    public var request: ComputeRequest
    /// The `xsns` the tasks run (this very executable).
    public var executable: String
    /// Extra `#SBATCH` options, e.g. `--partition=gpu`, `--cpus-per-task=4`, `--time=12:00:00`.
    public var options: [String] = []
    /// At most this many tasks at once (`%N`).
    public var maxParallel: Int?

    public init(request: ComputeRequest, executable: String) {
        self.request = request
        self.executable = executable
    }

    /// Submits the pairs of `missing` that no Slurm task or local process is working on; nil when none is left.
    public func submit(missing: [(language: String, seed: Int)]) throws -> SlurmJobs.Job? {
        let session = request.session
        // One submission at a time per session: two would submit the same pairs and lose a job record.
        let lockURL = session.appendingPathComponent("slurm/submit.lock")
        try FileManager.default.createDirectory(at: lockURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        let lock = try FileLock(url: lockURL)
        try lock.lock()
        defer { lock.unlock() }
        var record = try SlurmJobs.load(session: session)
        let queued = try record.queueStates()
        let paths = SessionPaths(folder: session)
        let pairs = missing.map { SlurmJobs.Pair(language: $0.language, seed: $0.seed) }.filter { pair in
            queued[pair] == nil
                && RunClaim.recordedHolder(paths.claim(language: pair.language, seed: pair.seed)).map { !$0.alive } ?? true
        }
        guard !pairs.isEmpty else { return nil }
        let scriptURL = session.appendingPathComponent(
            "slurm/compute-\(Timestamp.string().filter(\.isNumber))-\(UInt32.random(in: 0...UInt32.max)).sh")
        try FileManager.default.createDirectory(at: scriptURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: session.appendingPathComponent("logs"), withIntermediateDirectories: true)
        try AtomicFile.write(Data(script(pairs).utf8), to: scriptURL)
        let id = try SlurmCommand.run("sbatch", ["--parsable", scriptURL.path])
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard !id.isEmpty else { throw RuntimeFailure("sbatch printed no job id") }
        let job = SlurmJobs.Job(id: id, tasks: pairs, script: scriptURL.path, submitted: Timestamp.string())
        record.jobs.append(job)
        do {
            try record.save(session: session)
        } catch {
            throw RuntimeFailure("submitted Slurm job \(id) but could not record it in \(SlurmJobs.url(session: session).path) "
                                 + "(\(error)); cancel it (scancel \(id)) or add it by hand")
        }
        return job
    }

    func script(_ pairs: [SlurmJobs.Pair]) -> String {
        let options = request.options
        let session = request.session.path
        var compute = [executable, "compute", "--session", session, "--model", request.modelSpec,
                       "--corpora", request.corpora.path, "--sentences", "\(options.sentences)",
                       "--estimator", options.estimator, "--batch-size", "\(options.batchSize)",
                       "--max-length", "\(options.maxLength)", "--mask-prob", "\(options.maskProbability)"]
            .map(Self.quoted)
        if options.recordInputs { compute.append("--record-inputs") }
        if request.convergence { compute.append("--convergence") }
        if !options.computesEmbedding { compute.append("--no-emb") }
        if let sketch = options.sketch { compute += ["--sketch", "\(sketch)"] }
        if let field = options.textField { compute += ["--text-field", field] }
        if let field = options.pairField { compute += ["--pair-field", field] }
        if options.objective == "random-head", let labels = options.numLabels {
            compute += ["--objective", "random-head", "--num-labels", "\(labels)", "--head-level", options.headLevel ?? "token"]
        }
        compute += ["--langs", "\"${languages[$SLURM_ARRAY_TASK_ID]}\"", "--seeds", "\"${seeds[$SLURM_ARRAY_TASK_ID]}\"",
                    "--threads", "\"${SLURM_CPUS_PER_TASK:-1}\""]
        let throttle = maxParallel.map { "%\($0)" } ?? ""
        let name = request.session.lastPathComponent.filter { $0.isLetter || $0.isNumber || "-_".contains($0) }
        var lines = [
            "#!/bin/bash",
            "#SBATCH --job-name=xsns-\(name)",
            "#SBATCH --array=0-\(pairs.count - 1)\(throttle)",
            "#SBATCH --output=\"\(session.replacingOccurrences(of: "%", with: "%%"))/logs/%A_%a.log\"",
            "#SBATCH --open-mode=append",
            "#SBATCH --requeue",
            "#SBATCH --signal=B:USR1@120",
        ]
        lines += self.options.map { "#SBATCH \($0)" }
        lines += [
            "# Written by xsns compute --slurm: one task per (language, seed).",
            "languages=(\(pairs.map { Self.quoted($0.language) }.joined(separator: " ")))",
            "seeds=(\(pairs.map { String($0.seed) }.joined(separator: " ")))",
            "echo \"xsns: task ${SLURM_ARRAY_TASK_ID} of job ${SLURM_ARRAY_JOB_ID} on $(hostname), "
                + "${languages[$SLURM_ARRAY_TASK_ID]} seed ${seeds[$SLURM_ARRAY_TASK_ID]}, SLURM_RESTART_COUNT=${SLURM_RESTART_COUNT:-0}\"",
            "# The warning before the time limit (or a pre-emption that sends USR1): stop xsns, which checkpoints on",
            "# SIGTERM, and requeue this task so that it resumes; a run that had finished is left alone.",
            "requeue() { kill -TERM \"$pid\" 2>/dev/null; wait \"$pid\"; status=$?; [ \"$status\" -eq 0 ] && exit 0; "
                + "scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\" || exit 1; exit 0; }",
            "trap requeue USR1",
            compute.joined(separator: " ") + " &",
            "pid=$!",
            "wait \"$pid\"",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
