import Foundation
import Testing
import XSNSTestSupport

/// `compute --slurm` on a real single-node Slurm cluster (Tests/slurm/start-cluster.sh; .ci/deps installs
/// Slurm): one array job of 6 tasks (3 languages × 2 seeds) fills the session with Fisher files equal, byte
/// for byte, to a local sequential run; `status --wait` follows it to the end; submitting again submits
/// nothing. Skipped, saying why, only where Slurm is not installed or the tests do not run as root.
@Suite(.serialized) struct SlurmTests {
    /// The cluster's slurm.conf, or why there is none.
    static let cluster: Result<String, SkipReason> = {
        let script = Fixtures.repositoryRoot.appendingPathComponent("Tests/slurm/start-cluster.sh")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("xsns-slurm-test").path
        // The script leaves munged, slurmctld and slurmd running: runDetached, not Process (see there).
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("xsns-slurm-start-\(getpid()).log")
        defer { try? FileManager.default.removeItem(at: log) }
        guard let status = try? runDetached(URL(fileURLWithPath: "/bin/bash"), [script.path, directory], output: log),
              let output = try? String(contentsOf: log, encoding: .utf8)
        else { return .failure(SkipReason("FAILED to run \(script.path)")) }
        let text = output.trimmingCharacters(in: .whitespacesAndNewlines)
        switch status {
        case 0: return .success(text.split(separator: "\n").last.map(String.init) ?? text)
        case 3: return .failure(SkipReason(text))
        default: return .failure(SkipReason("FAILED to start Slurm: \(text)"))
        }
    }()

    struct SkipReason: Error, CustomStringConvertible {
        let description: String
        init(_ text: String) { description = text }
    }

    @Test func arrayJobFillsTheSessionLikeALocalRun() throws {
        let conf: String
        switch Self.cluster {
        case .success(let path): conf = path
        case .failure(let reason):
            #expect(!reason.description.hasPrefix("FAILED"), "\(reason)")
            print("SlurmTests skipped: \(reason)")
            return
        }
        let environment = ["SLURM_CONF": conf]
        let root = Fixtures.repositoryRoot
        let folder = try Fixtures.temporaryDirectory()
        func arguments(_ session: URL) -> [String] {
            ["compute", "--session", session.path, "--model", root.appendingPathComponent("Sources/xsns/DemoModel").path,
             "--corpora", root.appendingPathComponent("Corpora").path, "--langs", "de,fi,ru", "--sentences", "8",
             "--seeds", "1,2"]
        }
        let cluster = folder.appendingPathComponent("cluster"), local = folder.appendingPathComponent("local")
        let submitted = try XSNSBinary.run(arguments(cluster) + ["--slurm", "--max-parallel", "2"], environment: environment)
        #expect(submitted.status == 0 && submitted.stdout.contains("6 task(s)"), "\(submitted.stdout)\(submitted.stderr)")
        let waited = try XSNSBinary.run(["status", "--session", cluster.path, "--wait"], environment: environment)
        #expect(waited.status == 0, "\(waited.stdout)\(waited.stderr)")
        #expect(try XSNSBinary.run(arguments(local) + ["--threads", "1"]).status == 0)

        for language in ["de", "fi", "ru"] {
            for seed in [1, 2] {
                let name = "fisher/\(language).seed\(seed).safetensors"
                let a = try Data(contentsOf: cluster.appendingPathComponent(name))
                let b = try Data(contentsOf: local.appendingPathComponent(name))
                #expect(a == b, "\(name) differs between the Slurm task and the local run")
            }
        }
        let logs = try FileManager.default.contentsOfDirectory(atPath: cluster.appendingPathComponent("logs").path)
        #expect(logs.count == 6, "\(logs)")
        let again = try XSNSBinary.run(arguments(cluster) + ["--slurm"], environment: environment)
        #expect(again.status == 0 && again.stdout.contains("nothing to submit"), "\(again.stdout)\(again.stderr)")
    }

    /// A task that fails (here: an unreadable run checkpoint left in the session) is reported failed by
    /// `status`, with why and the task's log; `--wait` then exits 1.
    @Test func aFailingTaskIsReportedWithItsLog() throws {
        guard case .success(let conf) = Self.cluster else {
            print("SlurmTests skipped: \(Self.cluster)")
            return
        }
        let root = Fixtures.repositoryRoot
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        let checkpoint = session.appendingPathComponent("checkpoints/fi.seed2.safetensors")
        try FileManager.default.createDirectory(at: checkpoint.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("not a checkpoint".utf8).write(to: checkpoint)
        let submitted = try XSNSBinary.run([
            "compute", "--session", session.path, "--model", root.appendingPathComponent("Sources/xsns/DemoModel").path,
            "--corpora", root.appendingPathComponent("Corpora").path, "--langs", "fi", "--sentences", "8", "--seeds", "1,2",
            "--slurm",
        ], environment: ["SLURM_CONF": conf])
        #expect(submitted.status == 0, "\(submitted.stdout)\(submitted.stderr)")
        let waited = try XSNSBinary.run(["status", "--session", session.path, "--wait", "--format", "json"],
                                        environment: ["SLURM_CONF": conf])
        #expect(waited.status == 1, "\(waited.stdout)\(waited.stderr)")
        let rows = try JSONSerialization.jsonObject(with: Data(waited.stdout.utf8)) as? [[String: Any]] ?? []
        let failed = try #require(rows.first { $0["seed"] as? Int == 2 })
        let detail = failed["detail"] as? String ?? ""
        #expect(failed["state"] as? String == "failed" && detail.contains("fi.seed2.safetensors") && detail.contains("log: "),
                "\(failed)")
        #expect(rows.first { $0["seed"] as? Int == 1 }?["state"] as? String == "done")
    }

    /// Pre-emption: the warning signal (USR1, sent here with `scancel --signal=USR1 --batch`) makes the task
    /// stop `xsns`, which checkpoints, and requeue itself; the requeued task resumes and ends with a Fisher
    /// file byte-identical to an uninterrupted local run.
    @Test func aPreemptedTaskResumesToTheSameFisher() throws {
        guard case .success(let conf) = Self.cluster else {
            print("SlurmTests skipped: \(Self.cluster)")
            return
        }
        let environment = ["SLURM_CONF": conf]
        let folder = try Fixtures.temporaryDirectory()
        let corpora = folder.appendingPathComponent("corpora")
        try FileManager.default.createDirectory(at: corpora, withIntermediateDirectories: true)
        // A run of some seconds: the demo's Finnish lines, 24 times over.
        let lines = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Corpora/fi.txt"), encoding: .utf8)
        try String(repeating: lines, count: 24).write(to: corpora.appendingPathComponent("fi.txt"), atomically: false, encoding: .utf8)
        func arguments(_ session: URL) -> [String] {
            ["compute", "--session", session.path,
             "--model", Fixtures.repositoryRoot.appendingPathComponent("Sources/xsns/DemoModel").path,
             "--corpora", corpora.path, "--langs", "fi", "--sentences", "5000", "--seeds", "1", "--estimator", "exact",
             "--checkpoint-every", "100"]
        }
        let cluster = folder.appendingPathComponent("cluster"), local = folder.appendingPathComponent("local")
        #expect(try XSNSBinary.run(arguments(cluster) + ["--slurm"], environment: environment).status == 0)
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: cluster.appendingPathComponent("slurm/submissions.json")))
        let job = try #require(((record as? [String: Any])?["jobs"] as? [[String: Any]])?.last?["id"] as? String)
        let checkpoint = cluster.appendingPathComponent("checkpoints/fi.seed1.safetensors")
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: checkpoint.path) { Thread.sleep(forTimeInterval: 0.05) }
        let slurm = { (tool: String, arguments: [String]) throws -> CommandResult in
            try runProcess(URL(fileURLWithPath: "/usr/bin/\(tool)"), arguments, environment: environment)
        }
        #expect(try slurm("scancel", ["--signal=USR1", "--batch", "\(job)_0"]).status == 0)
        // Requeued tasks wait for a begin time; make it now.
        for _ in 0..<100 {
            Thread.sleep(forTimeInterval: 0.1)
            if try slurm("squeue", ["-h", "-r", "-j", job, "-o", "%T"]).stdout.contains("PENDING") { break }
        }
        _ = try slurm("scontrol", ["update", "JobId=\(job)_0", "StartTime=now"])
        let waited = try XSNSBinary.run(["status", "--session", cluster.path, "--wait"], environment: environment)
        #expect(waited.status == 0, "\(waited.stdout)\(waited.stderr)")
        let log = try String(contentsOf: cluster.appendingPathComponent("logs/\(job)_0.log"), encoding: .utf8)
        #expect(log.contains("SLURM_RESTART_COUNT=1") && log.contains("resuming after"), "\(log)")
        #expect(try XSNSBinary.run(arguments(local) + ["--threads", "1"]).status == 0)
        let a = try Data(contentsOf: cluster.appendingPathComponent("fisher/fi.seed1.safetensors"))
        let b = try Data(contentsOf: local.appendingPathComponent("fisher/fi.seed1.safetensors"))
        #expect(a == b, "the pre-empted and requeued run differs from an uninterrupted one")
    }

    /// A job the controller has forgotten (finished long ago, or never known) means nothing is queued:
    /// `status` answers from the session's files instead of failing.
    @Test func aForgottenJobMeansNothingQueued() throws {
        guard case .success(let conf) = Self.cluster else {
            print("SlurmTests skipped: \(Self.cluster)")
            return
        }
        let root = Fixtures.repositoryRoot
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        let computed = try XSNSBinary.run([
            "compute", "--session", session.path, "--model", root.appendingPathComponent("Sources/xsns/DemoModel").path,
            "--corpora", root.appendingPathComponent("Corpora").path, "--langs", "fi", "--sentences", "8", "--seeds", "1",
            "--threads", "1",
        ])
        #expect(computed.status == 0, "\(computed.stderr)")
        try FileManager.default.createDirectory(at: session.appendingPathComponent("slurm"), withIntermediateDirectories: true)
        try #"{"jobs":[{"id":"987654","tasks":[{"language":"fi","seed":1}],"script":"x","submitted":"t"}]}"#
            .write(to: session.appendingPathComponent("slurm/submissions.json"), atomically: false, encoding: .utf8)
        let status = try XSNSBinary.run(["status", "--session", session.path, "--wait"], environment: ["SLURM_CONF": conf])
        #expect(status.status == 0 && status.stdout.contains("done") && status.stderr.isEmpty, "\(status.stdout)\(status.stderr)")
    }
}
