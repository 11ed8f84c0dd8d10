import Foundation
import Testing
import XSNSSession
import XSNSTestSupport

/// `xsns status`: every planned run with its state; a run whose process died shows as interrupted (with
/// how to resume); `--wait` returns at once when nothing runs and exits 1 unless every run is done.
@Suite struct StatusCommandTests {
    @Test func statesComeFromTheSessionFiles() throws {
        let root = Fixtures.repositoryRoot
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        let computed = try XSNSBinary.run([
            "compute", "--session", session.path, "--model", root.appendingPathComponent("Sources/xsns/DemoModel").path,
            "--corpora", root.appendingPathComponent("Corpora").path, "--langs", "fi,ru", "--sentences", "8",
            "--seeds", "1,2", "--threads", "1",
        ])
        #expect(computed.status == 0, "\(computed.stderr)")
        func states() throws -> [String] {
            let result = try XSNSBinary.run(["status", "--session", session.path, "--format", "json"])
            #expect(result.status == 0, "\(result.stderr)")
            let rows = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
            return rows.map { "\($0["language"]!).\($0["seed"]!)=\($0["state"]!)" }
        }
        #expect(try states() == ["fi.1=done", "fi.2=done", "ru.1=done", "ru.2=done"])
        #expect(try XSNSBinary.run(["status", "--session", session.path, "--wait"]).status == 0)

        // ru seed 2 as a crash leaves it: recorded running, its Fisher not written, its process gone.
        let manifestURL = session.appendingPathComponent("session.json")
        var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as! [String: Any]
        var runs = manifest["runs"] as! [[String: Any]]
        let index = runs.firstIndex { $0["language"] as? String == "ru" && $0["seed"] as? Int == 2 }!
        runs[index]["status"] = "running"
        runs[index]["pid"] = 2_000_000_000
        runs[index]["host"] = ProcessInfo.processInfo.hostName
        manifest["runs"] = runs
        try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)
        // The run's own record file says the same (it is what the reader trusts for a run).
        let runURL = session.appendingPathComponent("runs/ru.seed2.json")
        var runFile = try JSONSerialization.jsonObject(with: Data(contentsOf: runURL)) as! [String: Any]
        runFile["run"] = runs[index]
        try JSONSerialization.data(withJSONObject: runFile).write(to: runURL)
        try FileManager.default.removeItem(at: session.appendingPathComponent("fisher/ru.seed2.safetensors"))
        #expect(try states() == ["fi.1=done", "fi.2=done", "ru.1=done", "ru.2=interrupted"])
        let waited = try XSNSBinary.run(["status", "--session", session.path, "--wait"])
        #expect(waited.status == 1 && waited.stdout.contains("the same command resumes it"), "\(waited.stdout)")
        #expect(waited.stderr.contains("1 of 4 run(s) are not done: interrupted"), "\(waited.stderr)")
    }
}

/// A Slurm controller that does not answer: `status` says so after `XSNS_SLURM_TIMEOUT` and shows the
/// session's own files instead of hanging.
struct HungSlurmTests {
    @Test func aHungSqueueIsCutShort() throws {
        let folder = try Fixtures.temporaryDirectory()
        let bin = folder.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let squeue = bin.appendingPathComponent("squeue")
        try Data("#!/bin/sh\nexec sleep 30\n".utf8).write(to: squeue)  // one process, as squeue is
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: squeue.path)
        let session = folder.appendingPathComponent("s")
        _ = try SessionStore.openOrCreate(folder: session)
        try FileManager.default.createDirectory(at: session.appendingPathComponent("slurm"), withIntermediateDirectories: true)
        try Data(#"{"jobs":[{"id":"91","tasks":[{"language":"fi","seed":1}],"script":"x.sh","submitted":"2026-12-01T00:00:00Z"}]}"#.utf8)
            .write(to: session.appendingPathComponent("slurm/submissions.json"))
        let started = Date()
        let result = try XSNSBinary.run(["status", "--session", session.path], environment: [
            "PATH": bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"), "XSNS_SLURM_TIMEOUT": "1",
        ])
        #expect(Date().timeIntervalSince(started) < 15, "status waited for the hung squeue")
        #expect(result.status == 0 && result.stderr.contains("did not answer within 1 s"), "\(result.stderr)")
    }
}
