import Foundation
import Testing
import XSNSTestSupport

/// Issue 6: `kill -9` at any moment, then the same command again, must end with files identical
/// byte for byte to an uninterrupted run; SIGTERM checkpoints and says how to resume.
@Suite(.serialized) struct KillResumeTests {
    static let root = Fixtures.repositoryRoot
    static func computeArguments(session: URL) -> [String] {
        ["compute", "--session", session.path, "--model", root.appendingPathComponent("Sources/xsns/DemoModel").path,
         "--corpora", root.appendingPathComponent("Corpora").path, "--langs", "de,ru", "--sentences", "200",
         "--seeds", "42", "--record-inputs", "--checkpoint-every", "5"]
    }

    static let outputs = [
        "fisher/de.seed42.safetensors", "fisher/ru.seed42.safetensors", "heads/de.seed42.safetensors",
        "baselines/emb/ru.seed42.safetensors", "inputs/de.seed42.jsonl", "inputs/ru.seed42.jsonl",
    ]

    /// Waits until some run of `session` has written a checkpoint (the loop is under way).
    private func waitForCheckpoint(_ session: URL, while process: Process) {
        let folder = session.appendingPathComponent("checkpoints")
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < deadline {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            if names.contains(where: { $0.hasSuffix(".safetensors") }) { return }
            Thread.sleep(forTimeInterval: 0.005)
        }
    }

    @Test func killedAtRandomMomentsThenResumedIsBitIdentical() throws {
        let folder = try Fixtures.temporaryDirectory()
        let reference = folder.appendingPathComponent("reference")
        let resumed = folder.appendingPathComponent("resumed")
        #expect(try XSNSBinary.run(Self.computeArguments(session: reference)).status == 0)

        var generator = SystemRandomNumberGenerator()
        var kills = 0
        var logs = ""
        for attempt in 0..<8 {
            let log = folder.appendingPathComponent("attempt\(attempt).log")
            let process = try XSNSBinary.launch(Self.computeArguments(session: resumed), stderrTo: log)
            waitForCheckpoint(resumed, while: process)
            Thread.sleep(forTimeInterval: Double.random(in: 0...0.1, using: &generator))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            logs += (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        }
        let last = try XSNSBinary.run(Self.computeArguments(session: resumed))
        #expect(last.status == 0, "\(last.stderr)")
        logs += last.stderr
        #expect(kills > 0)
        #expect(logs.contains("resuming after"), "no run resumed from a checkpoint")
        for output in Self.outputs {
            let a = try Data(contentsOf: reference.appendingPathComponent(output))
            let b = try Data(contentsOf: resumed.appendingPathComponent(output))
            #expect(a == b, "\(output) differs after \(kills) kill(s)")
        }
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: resumed.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "temporary files left behind: \(leftovers)")
    }

    @Test func sigtermCheckpointsAndTellsHowToResume() throws {
        let folder = try Fixtures.temporaryDirectory()
        let session = folder.appendingPathComponent("s")
        let process = Process()
        process.executableURL = XSNSBinary.url
        process.arguments = Self.computeArguments(session: session) + ["--checkpoint-every", "1000"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Wait until the first run is recorded as running, so the signal lands inside the sentence loop.
        let manifestURL = session.appendingPathComponent("session.json")
        let deadline = Date().addingTimeInterval(30)
        while !((try? String(contentsOf: manifestURL, encoding: .utf8))?.contains("\"running\"") ?? false),
              process.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.005)
        }
        kill(process.processIdentifier, SIGTERM)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 0 { return }  // finished before the signal arrived: nothing to check
        #expect(process.terminationStatus == 1)
        #expect(message.contains("run the same command again to resume"))
        let manifest = try String(contentsOf: session.appendingPathComponent("session.json"), encoding: .utf8)
        #expect(manifest.contains("\"interrupted\""))
        #expect(try XSNSBinary.run(Self.computeArguments(session: session)).status == 0)
    }
}
