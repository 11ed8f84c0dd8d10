import Foundation
import Testing
import XSNSSession
import XSNSStorage
import XSNSTestSupport

struct FileFingerprintTests {
    @Test func hashesSizeAndReusesAnUntouchedFilesHash() throws {
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("en.txt")
        try Data("abc".utf8).write(to: url)
        let first = try FileFingerprint.of(url)
        #expect(first.file == "en.txt")
        #expect(first.bytes == 3)
        #expect(first.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")

        // Same size and time: the recorded hash is trusted (a planted one proves it was not recomputed).
        var planted = first
        planted.sha256 = "planted"
        #expect(try FileFingerprint.of(url, reusing: planted).sha256 == "planted")

        // New content and time: hashed again.
        try Data("abd".utf8).write(to: url)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 10)], ofItemAtPath: url.path)
        let second = try FileFingerprint.of(url, reusing: planted)
        #expect(second.sha256 == SHA256.hexDigest(Data("abd".utf8)))
        #expect(!second.sameContent(as: first))
    }

    @Test func aMissingFileIsAnInputError() throws {
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("none.txt")
        #expect(throws: InputError.self) { try FileFingerprint.of(url) }
    }
}

struct InputFingerprintTests {
    @Test func aChangedCorpusIsReportedAfterReloading() throws {
        let corpora = try Fixtures.temporaryDirectory("corpora")
        try Data("Hello.\n".utf8).write(to: corpora.appendingPathComponent("en.txt"))
        try Data("Hallo.\n".utf8).write(to: corpora.appendingPathComponent("de.txt"))
        let recorded = try CorporaRecord.fingerprint(directory: corpora, languages: ["en", "de"])
        #expect(recorded.files["en"]?.sha256 == SHA256.hexDigest(Data("Hello.\n".utf8)))

        let store = try SessionStore.openOrCreate(folder: try Fixtures.temporaryDirectory())
        try store.update { $0.corpora = recorded }

        try Data("Hello, world.\n".utf8).write(to: corpora.appendingPathComponent("en.txt"))
        let manifest = try store.load()
        let now = try CorporaRecord.fingerprint(directory: corpora, languages: ["en", "de"], reusing: manifest.corpora)
        #expect(manifest.changes(model: nil, tokenizer: nil, corpora: now) == ["corpus en.txt (en) changed since the session was computed"])
    }

    @Test func modelFilesAreFingerprintedInOrder() throws {
        let folder = try Fixtures.temporaryDirectory("model")
        let files = ["config.json", "model.safetensors"].map { folder.appendingPathComponent($0) }
        for (index, url) in files.enumerated() { try Data(repeating: UInt8(index), count: 10 + index).write(to: url) }
        let record = try ModelRecord.fingerprint(spec: "local", directory: folder, files: files)
        #expect(record.files.map(\.file) == ["config.json", "model.safetensors"])
        #expect(record.files.map(\.bytes) == [10, 11])
        #expect(throws: InputError.self) {
            try CorporaRecord.fingerprint(directory: folder, languages: ["en"])
        }
    }
}
