import Foundation
import Testing
import XSNSSession
import XSNSStorage
import XSNSTestSupport

struct SessionStoreTests {
    @Test func namesResolveUnderSessionsAndPathsAsGiven() throws {
        let root = URL(fileURLWithPath: "/work/Sessions")
        #expect(try SessionStore.folder(forName: "xlmr-ud", sessionsRoot: root).path == "/work/Sessions/xlmr-ud")
        #expect(try SessionStore.folder(forName: "/data/runs/a", sessionsRoot: root).path == "/data/runs/a")
        #expect(try SessionStore.folder(forName: "runs/b/", sessionsRoot: root).lastPathComponent == "b")
        for bad in ["", ".", "..", "-x"] {
            #expect(throws: InputError.self) { try SessionStore.folder(forName: bad, sessionsRoot: root) }
        }
    }

    @Test func openOrCreateMakesTheFolderLayout() throws {
        let folder = try Fixtures.temporaryDirectory().appendingPathComponent("Sessions/demo")
        let store = try SessionStore.openOrCreate(folder: folder)
        for name in ["session.json", "fisher", "inputs", "checkpoints", "claims"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "\(name)")
        }
        #expect(try store.load().runs.isEmpty)
        #expect(store.paths.fisher(language: "en", seed: 42).path == folder.path + "/fisher/en.seed42.safetensors")
        #expect(store.paths.inputs(language: "zh-Hans", seed: 7).path == folder.path + "/inputs/zh-Hans.seed7.jsonl")
        #expect(store.paths.checkpoint(language: "fi", seed: 1).path == folder.path + "/checkpoints/fi.seed1.safetensors")
        // Opening again keeps what is there.
        try store.update { $0.setRun(RunRecord(language: "en", seed: 1)) }
        #expect(try SessionStore.openOrCreate(folder: folder).load().runs.count == 1)
    }

    @Test func openingRemovesPartialFilesOfKilledWriters() throws {
        let folder = try Fixtures.temporaryDirectory()
        let store = try SessionStore.openOrCreate(folder: folder)
        let exited = Process()
        exited.executableURL = URL(fileURLWithPath: "/bin/sh")
        exited.arguments = ["-c", "exit 0"]
        try exited.run()
        exited.waitUntilExit()
        let abandoned = store.paths.fisher(language: "en", seed: 1).deletingLastPathComponent()
            .appendingPathComponent(TemporaryName.make(for: "en.seed1.safetensors", pid: exited.processIdentifier))
        try Data("partial".utf8).write(to: abandoned)
        _ = try SessionStore.openOrCreate(folder: folder)
        #expect(!FileManager.default.fileExists(atPath: abandoned.path))
    }

    @Test func openingAFolderWithoutSessionIsAnInputError() throws {
        let folder = try Fixtures.temporaryDirectory()
        #expect(throws: InputError.self) { try SessionStore.open(folder: folder) }
    }

    @Test func aCorruptSessionFileIsAnInputErrorOnLoadAndUpdate() throws {
        let folder = try Fixtures.temporaryDirectory()
        let store = try SessionStore.openOrCreate(folder: folder)
        try Data("{\"format\":\"xsns-session\",\"version\":1,".utf8).write(to: store.paths.manifest)
        #expect(throws: InputError.self) { try store.load() }
        #expect(throws: InputError.self) { try store.update { _ in } }
        #expect(try String(contentsOf: store.paths.manifest, encoding: .utf8).hasSuffix(","), "left as it was")
    }

    @Test func updatesMergeWithWhatOthersWrote() throws {
        let folder = try Fixtures.temporaryDirectory()
        let first = try SessionStore.openOrCreate(folder: folder)
        let second = SessionStore(folder: folder)
        try first.update { $0.setRun(RunRecord(language: "en", seed: 1, status: .running)) }
        try second.update { $0.setRun(RunRecord(language: "de", seed: 1, status: .running)) }
        let saved = try first.update { manifest in
            var record = manifest.run(language: "en", seed: 1)
            record?.status = .done
            if let record { manifest.setRun(record) }
        }
        #expect(saved.runs.map { "\($0.language):\($0.status.rawValue)" } == ["de:running", "en:done"])
        #expect(try second.load() == saved)
    }

    /// Four writers with their own lock opens (flock is per open file description, so threads
    /// exclude each other exactly as processes do), each recording 25 runs of its language.
    @Test func concurrentWritersOnSeparateOpensLoseNothing() throws {
        let folder = try Fixtures.temporaryDirectory()
        _ = try SessionStore.openOrCreate(folder: folder)
        let languages = ["en", "de", "fi", "et"]
        let failures = FailureLog()
        DispatchQueue.concurrentPerform(iterations: languages.count) { index in
            let store = SessionStore(folder: folder)
            for seed in 0..<25 {
                do { try store.update { $0.setRun(RunRecord(language: languages[index], seed: seed, sentences: seed)) } } catch {
                    failures.add("\(error)")
                }
            }
        }
        #expect(failures.all.isEmpty)
        let manifest = try SessionStore.open(folder: folder).load()
        #expect(manifest.runs.count == 100)
        for language in languages {
            #expect(manifest.runs.filter { $0.language == language }.map(\.seed) == Array(0..<25))
        }
    }

    @Test func aReadOnlySessionFolderFailsClearlyAndKeepsTheManifest() throws {
        let folder = try Fixtures.temporaryDirectory()
        let store = try SessionStore.openOrCreate(folder: folder)
        try store.update { $0.setRun(RunRecord(language: "en", seed: 1, status: .done)) }
        let before = try Data(contentsOf: store.paths.manifest)
        guard let readOnly = ReadOnlyFolder(folder) else {
            print("note: cannot make a folder read-only here (root without chattr); test skipped")
            return
        }
        defer { readOnly.restore() }
        do {
            try store.update { $0.setRun(RunRecord(language: "de", seed: 1)) }
            Issue.record("updated a read-only session")
        } catch let failure as RuntimeFailure {
            #expect(failure.description.contains(folder.path))
        }
        #expect(try Data(contentsOf: store.paths.manifest) == before)
    }
}

/// Collects errors from concurrent workers.
final class FailureLog: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    func add(_ message: String) {
        lock.lock()
        messages.append(message)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return messages
    }
}
