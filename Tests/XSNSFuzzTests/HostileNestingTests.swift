import Foundation
import Testing
import XSNSAnalysis
import XSNSEngine
import XSNSSession
import XSNSStorage
import XSNSTestSupport

@testable import XSNSCompute

/// swift-foundation's JSONDecoder traps (it does not throw) when a document reaches the 512-level
/// nesting limit at its very last byte: 513 opening brackets and nothing else is enough. Found by the
/// config.json campaign; every reader that decodes a file with JSONDecoder must screen it first.
struct HostileNestingTests {
    static let deep = Data(String(repeating: "[", count: 513).utf8)

    @Test func configJSON() {
        #expect(throws: InputError.self) { try EncoderConfig(json: Self.deep, file: "config.json") }
    }

    @Test func lexicalCountsFile() throws {
        let folder = try Fixtures.temporaryDirectory("xsns-fuzz-nesting")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("et.json")
        try Self.deep.write(to: url)
        #expect { try LexicalCounts.load(url) } throws: { ($0 as? InputError)?.file == url.path }
    }

    @Test func lexicalCountsInASessionFolder() throws {
        let folder = try Fixtures.temporaryDirectory("xsns-fuzz-nesting")
        defer { try? FileManager.default.removeItem(at: folder) }
        var files = try #require(try SessionFolderSeeds.make().first)
        let lex = "baselines/lex/\(SessionFolderSeeds.languages[0]).json"
        files[lex] = Array(Self.deep)
        for (name, bytes) in files {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        #expect {
            _ = try SessionAnalysis(session: folder.path, in: folder).matrices(.lex, p: 0.15)
        } throws: { ($0 as? InputError)?.file == folder.appendingPathComponent(lex).path }
    }

    @Test func runCheckpointMetadata() throws {
        let folder = try Fixtures.temporaryDirectory("xsns-fuzz-nesting")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("fi.seed42.safetensors")
        let layout = TensorLayout([("x", [1])])
        try SafeTensorsWriter.write(FlatTensors(layout: layout, values: [0]),
                                    metadata: ["xsns_run_checkpoint": String(decoding: Self.deep, as: UTF8.self)], to: url)
        let identity = RunCheckpoint.Identity(language: "fi", seed: 42, sentencesPlanned: 1, maxLength: 8,
                                              corpusSHA256: "", modelSHA256: [], tokenizerSHA256: "",
                                              estimator: "xsns", batchSize: 4, maskProbability: 0.15,
                                              recordInputs: false)
        #expect { _ = try RunCheckpoint.load(url, expecting: identity) } throws: { ($0 as? InputError)?.file == url.path }
    }

    /// A claim file is only read to name its holder: an unreadable one names nobody.
    @Test func claimFile() throws {
        let folder = try Fixtures.temporaryDirectory("xsns-fuzz-nesting")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SessionStore.openOrCreate(folder: folder)
        let claimFile = folder.appendingPathComponent("claims/fi.seed42/1.claim")
        try FileManager.default.createDirectory(at: claimFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Self.deep.write(to: claimFile)
        let claim = try store.claim(language: "fi", seed: 42)
        #expect(claim.takenOverFrom == nil)
        claim.release()
    }
}
