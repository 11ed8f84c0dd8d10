import Foundation
import Testing
import XSNSSession
import XSNSTestSupport

/// Issue 6: several `xsns compute` processes on one session (a Slurm array, say) keep each other's
/// updates, and a second process for the same (language, seed) is refused with the holder's name.
@Suite(.serialized) struct ConcurrentComputeTests {
    static let root = Fixtures.repositoryRoot

    static func arguments(session: URL, languages: String, sentences: Int = 60) -> [String] {
        ["compute", "--session", session.path, "--model", root.appendingPathComponent("Sources/xsns/DemoModel").path,
         "--corpora", root.appendingPathComponent("Corpora").path, "--langs", languages,
         "--sentences", "\(sentences)", "--seeds", "42"]
    }

    @Test func fourProcessesOnDifferentLanguagesLoseNoUpdate() throws {
        let folder = try Fixtures.temporaryDirectory()
        let session = folder.appendingPathComponent("shared")
        let languages = ["en", "fr", "ru", "zh"]
        let processes = try languages.map {
            try XSNSBinary.launch(Self.arguments(session: session, languages: $0), stderrTo: folder.appendingPathComponent("\($0).log"))
        }
        for process in processes { process.waitUntilExit() }
        for (language, process) in zip(languages, processes) {
            let log = (try? String(contentsOf: folder.appendingPathComponent("\(language).log"), encoding: .utf8)) ?? ""
            #expect(process.terminationStatus == 0, "\(language): \(log)")
        }
        let manifest = try JSONSerialization.jsonObject(
            with: Data(contentsOf: session.appendingPathComponent("session.json"))) as? [String: Any]
        let runs = manifest?["runs"] as? [[String: Any]] ?? []
        let done = Set(runs.filter { $0["status"] as? String == "done" }.compactMap { $0["language"] as? String })
        #expect(done == Set(languages))
        let corpora = (manifest?["corpora"] as? [String: Any])?["files"] as? [String: Any] ?? [:]
        #expect(Set(corpora.keys) == Set(languages))
        for language in languages {
            #expect(FileManager.default.fileExists(
                atPath: session.appendingPathComponent("fisher/\(language).seed42.safetensors").path))
        }
    }

    @Test func aRunClaimedByAnotherProcessIsRefusedWithTheHolder() throws {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("shared")
        let store = try SessionStore.openOrCreate(folder: session)
        let claim = try store.claim(language: "de", seed: 42)  // this test process is the holder
        let refused = try XSNSBinary.run(Self.arguments(session: session, languages: "de,en"))
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("pid \(getpid())"), "\(refused.stderr)")
        #expect(refused.stderr.contains("1 run(s) are being computed by another process"))
        // The other language was computed all the same; once the claim is released, de follows.
        #expect(FileManager.default.fileExists(atPath: session.appendingPathComponent("fisher/en.seed42.safetensors").path))
        claim.release()
        #expect(try XSNSBinary.run(Self.arguments(session: session, languages: "de,en")).status == 0)
        #expect(FileManager.default.fileExists(atPath: session.appendingPathComponent("fisher/de.seed42.safetensors").path))
    }
}
