import Foundation
import Testing
import XSNSSession
import XSNSStorage
import XSNSTestSupport

/// The same guarantees as the thread tests, between real processes: the test binary re-runs
/// itself with `XSNS_SESSION_WORKER` set, and only `worker` then does anything.
struct SessionProcessTests {
    static let workerVariable = "XSNS_SESSION_WORKER"

    /// One job per process, tab-separated: `update FOLDER LANGUAGE COUNT` records COUNT runs;
    /// `claim FOLDER LANGUAGE SEED` claims a pair and then waits to be killed.
    @Test func worker() throws {
        guard let job = ProcessInfo.processInfo.environment[Self.workerVariable] else { return }
        let fields = job.split(separator: "\t").map(String.init)
        guard fields.count == 4, let number = Int(fields[3]) else { throw RuntimeFailure("bad worker job \(job)") }
        let store = SessionStore(folder: URL(fileURLWithPath: fields[1]))
        switch fields[0] {
        case "update":
            for seed in 0..<number {
                try store.update { $0.setRun(RunRecord(language: fields[2], seed: seed, status: .done, sentences: seed)) }
            }
        case "claim":
            let claim = try store.claim(language: fields[2], seed: number)
            withExtendedLifetime(claim) { while true { sleep(1) } }
        default:
            throw RuntimeFailure("unknown worker job \(fields[0])")
        }
    }

    /// The running test binary, or nil where it cannot be re-run this way (then the thread
    /// versions of these tests stand alone).
    static func testBinary() -> URL? {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.path.hasSuffix(".xctest") ? executable : nil
    }

    static func spawn(_ binary: URL, job: [String]) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--testing-library", "swift-testing", "--filter", "SessionProcessTests/worker"]
        var environment = ProcessInfo.processInfo.environment
        environment[workerVariable] = job.joined(separator: "\t")
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func fourProcessesOnDifferentLanguagesLoseNoUpdate() throws {
        guard let binary = Self.testBinary() else {
            print("note: the test binary cannot be re-run here; the thread test covers merge-on-write")
            return
        }
        let folder = try Fixtures.temporaryDirectory()
        _ = try SessionStore.openOrCreate(folder: folder)
        let languages = ["en", "de", "fi", "et"]
        let workers = try languages.map { try Self.spawn(binary, job: ["update", folder.path, $0, "40"]) }
        for worker in workers {
            worker.waitUntilExit()
            #expect(worker.terminationStatus == 0)
        }
        let manifest = try SessionStore.open(folder: folder).load()
        #expect(manifest.runs.count == 160)
        for language in languages {
            #expect(manifest.runs.filter { $0.language == language }.map(\.seed) == Array(0..<40))
        }
    }

    @Test func aClaimHeldByAnotherProcessIsRefusedAndTakenOverAfterKillNine() throws {
        guard let binary = Self.testBinary() else {
            print("note: the test binary cannot be re-run here; the in-process claim tests stand alone")
            return
        }
        let store = try SessionStore.openOrCreate(folder: try Fixtures.temporaryDirectory())
        let holder = try Self.spawn(binary, job: ["claim", store.folder.path, "fi", "16"])
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }

        // Wait (bounded, without competing for the claim) until the child has written its name.
        let file = store.folder.appendingPathComponent("claims/fi.seed16/1.claim")
        for _ in 0..<1200 where holder.isRunning {
            let owner = try? JSONDecoder().decode(ClaimOwner.self, from: Data(contentsOf: file))
            if owner?.pid == holder.processIdentifier { break }
            usleep(50_000)
        }
        #expect(holder.isRunning, "the claiming child ended early")
        #expect(throws: ClaimHeld.self) {
            do { _ = try store.claim(language: "fi", seed: 16) } catch let held as ClaimHeld {
                #expect(held.holder?.pid == holder.processIdentifier)
                throw held
            }
        }

        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        let claim = try store.claim(language: "fi", seed: 16)
        #expect(claim.takenOverFrom?.pid == holder.processIdentifier)
    }
}
