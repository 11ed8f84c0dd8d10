import Foundation
import Testing
import XSNSSession
import XSNSTestSupport

/// Claims that hold across cluster nodes without `flock` (issue 12): processes standing in for two nodes
/// (`XSNS_HOST`) contend for one (language, seed) of a shared session folder. Exactly one computes; a
/// claim of another node is taken over only once its heartbeat is older than the TTL; a holder that
/// stalled past the TTL finds its claim taken and publishes nothing.
@Suite(.serialized) struct NodeClaimTests {
    static let root = Fixtures.repositoryRoot

    static func compute(_ session: URL, sentences: Int = 120) -> [String] {
        ["compute", "--session", session.path, "--model", root.appendingPathComponent("Sources/xsns/DemoModel").path,
         "--corpora", root.appendingPathComponent("Corpora").path, "--langs", "de", "--sentences", "\(sentences)",
         "--seeds", "1", "--threads", "1", "--no-emb", "--checkpoint-every", "8"]
    }

    @Test func twoNodesContendAndExactlyOneComputes() throws {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("shared")
        // The session exists first, so both contend for the run rather than for creating the folder.
        _ = try SessionStore.openOrCreate(folder: session)
        let lock = NSLock()
        nonisolated(unsafe) var results: [CommandResult] = []
        let hosts = ["node-a", "node-b"]
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let result = try? XSNSBinary.run(Self.compute(session), environment: ["XSNS_HOST": hosts[index]])
            lock.withLock { if let result { results.append(result) } }
        }
        let finished = lock.withLock { results }
        #expect(finished.count == 2)
        let computed = finished.filter { $0.stdout.contains("computed 1 run(s)") }
        let refused = finished.filter { $0.status == 1 && $0.stderr.contains("is already being computed by pid") }
        let after = finished.filter { $0.stdout.contains("computed 0 run(s), 1 already done") }
        #expect(computed.count == 1, "\(finished.map { $0.stdout + $0.stderr })")
        #expect(refused.count + after.count == 1, "\(finished.map { $0.stdout + $0.stderr })")
        if let loser = refused.first { #expect(loser.stderr.contains("on node-a") || loser.stderr.contains("on node-b")) }
        let status = try XSNSBinary.run(["status", "--session", session.path, "--format", "json"])
        #expect(status.stdout.contains("\"done\""), "\(status.stdout)")
    }

    @Test func anotherNodesClaimIsTakenOverOnlyAfterItsTimeToLive() throws {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("shared")
        _ = try SessionStore.openOrCreate(folder: session)
        let folder = session.appendingPathComponent("claims/de.seed1")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let claim = folder.appendingPathComponent("1.claim")
        // A holder on node-x: its pid cannot be checked from here, only its heartbeat (the file's time).
        try JSONEncoder().encode(ClaimOwner(pid: 1, host: "node-x", started: "2026-12-01T00:00:00Z", job: "77_3")).write(to: claim)
        let environment = ["XSNS_HOST": "node-a", "XSNS_CLAIM_TTL": "5"]
        let refused = try XSNSBinary.run(Self.compute(session, sentences: 8), environment: environment)
        #expect(refused.status == 1 && refused.stderr.contains("pid 1 on node-x (Slurm job 77_3)"), "\(refused.stderr)")

        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-30)], ofItemAtPath: claim.path)
        let taken = try XSNSBinary.run(Self.compute(session, sentences: 8), environment: environment)
        #expect(taken.status == 0, "\(taken.stderr)")
        #expect(taken.stderr.contains("took over the stale claim of pid 1 on node-x"), "\(taken.stderr)")
        #expect(FileManager.default.fileExists(atPath: session.appendingPathComponent("fisher/de.seed1.safetensors").path))
        #expect(RunClaim.recordedHolder(folder) == nil, "released at the end")

        // A requeued Slurm task, on another node, finds its own earlier run's fresh claim: it is taken over.
        let requeued = session.appendingPathComponent("claims/fi.seed1")
        try FileManager.default.createDirectory(at: requeued, withIntermediateDirectories: true)
        try JSONEncoder().encode(ClaimOwner(pid: 1, host: "node-x", started: "2026-12-01T00:00:00Z", job: "88_1"))
            .write(to: requeued.appendingPathComponent("1.claim"))
        var fi = Self.compute(session, sentences: 8)
        fi[fi.firstIndex(of: "de")!] = "fi"
        let again = try XSNSBinary.run(fi, environment: ["XSNS_HOST": "node-b", "SLURM_ARRAY_JOB_ID": "88", "SLURM_ARRAY_TASK_ID": "1"])
        #expect(again.status == 0 && again.stderr.contains("took over the stale claim of pid 1 on node-x (Slurm job 88_1)"),
                "\(again.stderr)")
    }

    /// The stalled holder is started as an orphan (through a shell that exits at once): stopping and
    /// continuing a direct child would send this test process SIGCHLD, which interrupts other tests' reads.
    @Test func aHolderThatStalledPastItsTimeToLivePublishesNothing() throws {
        let folder = try Fixtures.temporaryDirectory()
        let session = folder.appendingPathComponent("shared")
        _ = try SessionStore.openOrCreate(folder: session)
        let log = folder.appendingPathComponent("a.log"), statusFile = folder.appendingPathComponent("a.status")
        let script = #"( log="$1"; status="$2"; shift 2; "$@" 2>"$log"; echo $? > "$status" ) &"#
        let started = try runDetached(URL(fileURLWithPath: "/bin/sh"), ["-c", script, "sh", log.path, statusFile.path,
                                      "/usr/bin/env", "XSNS_CLAIM_TTL=1", "XSNS_HOST=node-a", XSNSBinary.url.path]
                                      + Self.compute(session, sentences: 400))
        #expect(started == 0)
        // Stop it once it holds the claim (the claim names its pid).
        let claims = session.appendingPathComponent("claims/de.seed1")
        for _ in 0..<400 where RunClaim.recordedHolder(claims) == nil { usleep(25_000) }
        let holder = try #require(RunClaim.recordedHolder(claims)?.owner)
        #expect(holder.host == "node-a")
        defer { kill(holder.pid, SIGKILL) }
        // Stopped outside the session lock: a holder stopped inside a manifest update would block the
        // successor on this one machine's flock, which is not the stall under test.
        let sessionLock = open(session.appendingPathComponent(".session.lock").path, O_RDWR | O_CLOEXEC)
        defer { close(sessionLock) }
        for _ in 0..<200 {
            kill(holder.pid, SIGSTOP)
            usleep(20_000)
            if flock(sessionLock, LOCK_EX | LOCK_NB) == 0 { flock(sessionLock, LOCK_UN); break }
            kill(holder.pid, SIGCONT)
            usleep(5_000)
        }
        usleep(2_000_000)  // past the TTL without a heartbeat

        let successor = try XSNSBinary.run(Self.compute(session, sentences: 400),
                                           environment: ["XSNS_CLAIM_TTL": "1", "XSNS_HOST": "node-b"])
        #expect(successor.status == 0 && successor.stderr.contains("took over the stale claim"), "\(successor.stderr)")
        let fisher = session.appendingPathComponent("fisher/de.seed1.safetensors")
        let published = try Data(contentsOf: fisher)
        let modified = try FileManager.default.attributesOfItem(atPath: fisher.path)[.modificationDate] as? Date

        kill(holder.pid, SIGCONT)
        for _ in 0..<1200 where !FileManager.default.fileExists(atPath: statusFile.path) { usleep(50_000) }
        let status = (try? String(contentsOf: statusFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        let stderr = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(status == "1" && stderr.contains("the claim was taken over"), "status \(status ?? "none"): \(stderr)")
        #expect(try Data(contentsOf: fisher) == published)
        #expect(try FileManager.default.attributesOfItem(atPath: fisher.path)[.modificationDate] as? Date == modified,
                "the stalled holder must not write the Fisher file again")
        let runs = try XSNSBinary.run(["status", "--session", session.path, "--format", "json"])
        #expect(runs.stdout.contains("\"done\""), "\(runs.stdout)")
    }
}
