import Foundation
import XSNSSession
import XSNSTestSupport

/// The valid inputs each campaign starts from: the files under `Tests/Fixtures/fuzz/` (written by
/// `Tests/FixtureGenerator/gen_fuzz.py` with the reference writers) plus small fixtures other
/// areas already commit. Session manifests come from the session module's own writer, so they
/// follow its format as it evolves.
enum FuzzSeeds {
    static func bytes(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: Fixtures.url(relativePath)))
    }

    /// Every file of a fixture folder, by name.
    static func folder(_ relativePath: String) throws -> FuzzFiles {
        let url = Fixtures.url(relativePath)
        var files: FuzzFiles = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: url.path) {
            files[name] = Array(try Data(contentsOf: url.appendingPathComponent(name)))
        }
        return files
    }

    static func files(in relativePath: String, suffix: String) throws -> [[UInt8]] {
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.url(relativePath).path)
        return try names.filter { $0.hasSuffix(suffix) }.sorted().map { try bytes("\(relativePath)/\($0)") }
    }

    static var microCheckpointConfig: URL { Fixtures.url("fuzz/checkpoints/xlmr-micro/config.json") }

    static let microCheckpoints = ["xlmr-micro", "bert-micro", "xlmr-micro-sharded"].map { "fuzz/checkpoints/\($0)" }

    static func safeTensors() throws -> [[UInt8]] {
        try files(in: "fuzz/safetensors", suffix: ".safetensors")
            + [try bytes("checkpoints/safetensors/mixed.safetensors"),
               try bytes("fuzz/checkpoints/xlmr-micro/model.safetensors"),
               try bytes("fuzz/checkpoints/xlmr-micro-sharded/model-00002-of-00002.safetensors")]
    }

    static func configs() throws -> [[UInt8]] {
        try (microCheckpoints + ["checkpoints/models/xlmr-tiny", "checkpoints/models/bert-tiny"])
            .map { try bytes("\($0)/config.json") }
    }

    static func tokenizers() throws -> [[UInt8]] {
        try [bytes("fuzz/tokenizers/unigram-precompiled.json")]
            + (microCheckpoints.prefix(2) + ["checkpoints/models/xlmr-tiny", "checkpoints/models/bert-tiny"])
            .map { try bytes("\($0)/tokenizer.json") }
    }

    /// Texts every fuzzed tokenizer encodes: the seeds' own words, the characters their normalisers
    /// rewrite, added tokens, and the awkward cases (empty, controls, combining marks, emoji, long).
    static let texts = [
        "ab abc cab", "\u{FF21}Bc \u{2460} \u{C5}b  <mask> cab", "[CLS] a ##b [SEP] [MASK]", "<s></s><pad><unk>",
        "", " ", "\t\n\r", "\u{0}", "e\u{301}\u{301}\u{301}", "\u{1F642}\u{1F44D}\u{1F3FD}", "\u{4E2D}\u{6587}",
        "x\u{200B}y\u{FEFF}z", "\u{FB00}", "\u{2581}\u{2581}a", String(repeating: "ab", count: 1500),
        String(repeating: "\u{C5}", count: 300),
    ]

    static func csvTables() throws -> [[UInt8]] {
        try files(in: "fuzz/csv", suffix: ".csv")
            + [try bytes("analysis/gold_synthetic.csv"), try bytes("analysis/scores_synthetic.csv")]
    }

    static func corpora() throws -> [[UInt8]] {
        try files(in: "fuzz/corpus", suffix: ".txt")
    }

    static let columnSpecifications: [[UInt8]] = ["s=transfer_lang,t=task_lang,v=Accuracy", "v=score", "t=a,s=b", ""]
        .map { Array($0.utf8) }

    static func sessionManifests() throws -> [[UInt8]] {
        var full = SessionManifest(created: Date(timeIntervalSince1970: 1_790_000_000))
        let weights = FileFingerprint(file: "model.safetensors", bytes: 3784, modified: 1_790_000_000.25,
                                      sha256: String(repeating: "0f", count: 32))
        full.model = ModelRecord(spec: "xlm-roberta-base", directory: "/hub/snapshots/e73636d", files: [weights])
        full.tokenizer = FileFingerprint(file: "tokenizer.json", bytes: 1897, modified: 1, sha256: String(repeating: "a1", count: 32))
        full.corpora = CorporaRecord(directory: "Corpora", files: [
            "fi": FileFingerprint(file: "fi.txt", bytes: 120, modified: 2, sha256: String(repeating: "5e", count: 32)),
            "zh-Hans": FileFingerprint(file: "zh-Hans.txt", bytes: 99, modified: 3, sha256: String(repeating: "77", count: 32)),
        ])
        full.options = ComputeOptions(sentences: 1024, seeds: [42, 16, 10], estimator: "xsns", batchSize: 4,
                                      maxLength: 512, maskProbability: 0.15, recordInputs: true, threads: 2)
        full.setRun(RunRecord(language: "fi", seed: 42, status: .done, sentences: 1024, tokens: 31_000, maskedTokens: 4_600,
                              skippedInvalidLines: 2, fisher: "fisher/fi.seed42.safetensors", startedAt: "2026-11-21T10:00:00Z",
                              finishedAt: "2026-11-21T10:20:00Z", host: "node7", pid: 4242))
        full.setRun(RunRecord(language: "zh-Hans", seed: 16, status: .interrupted, sentences: 64, message: "SIGTERM"))
        return [Array(try full.encoded()), Array(try SessionManifest(created: Date(timeIntervalSince1970: 0)).encoded())]
    }
}
