import Foundation
import Testing
import XSNSSession
import XSNSStorage

struct SessionManifestTests {
    static func sample() -> SessionManifest {
        var manifest = SessionManifest(created: Date(timeIntervalSince1970: 1_700_000_000))
        let fingerprint = FileFingerprint(file: "model.safetensors", bytes: 1_112_000_000, modified: 1_690_000_000.5,
                                          sha256: String(repeating: "ab", count: 32))
        manifest.model = ModelRecord(spec: "xlm-roberta-base", directory: "/hub/snapshots/abc", files: [fingerprint])
        manifest.tokenizer = FileFingerprint(file: "tokenizer.json", bytes: 17_000_000, modified: 1, sha256: String(repeating: "cd", count: 32))
        manifest.corpora = CorporaRecord(directory: "Corpora", files: [
            "en": FileFingerprint(file: "en.txt", bytes: 10, modified: 2, sha256: String(repeating: "01", count: 32)),
        ])
        manifest.options = ComputeOptions(sentences: 1024, seeds: [42, 16, 10], estimator: "xsns", batchSize: 4,
                                          maxLength: 512, maskProbability: 0.15, recordInputs: true, threads: 2)
        manifest.setRun(RunRecord(language: "en", seed: 42, status: .done, sentences: 1024, tokens: 30_000,
                                  maskedTokens: 4_500, skippedInvalidLines: 3, fisher: "fisher/en.seed42.safetensors"))
        manifest.setRun(RunRecord(language: "de", seed: 16, status: .running, sentences: 64))
        return manifest
    }

    @Test func roundTripsThroughJSON() throws {
        let manifest = Self.sample()
        #expect(try SessionManifest.decode(manifest.encoded(), file: "session.json") == manifest)
        #expect(manifest.runs.map(\.language) == ["de", "en"], "runs stay sorted")
        #expect(manifest.languages == ["de", "en"])
    }

    /// The on-disk names are part of the contract (DESIGN.md: session.json), so they are spelled out.
    @Test func writesSnakeCaseFieldsWithFormatAndVersion() throws {
        let text = String(decoding: try Self.sample().encoded(), as: UTF8.self)
        for field in [#""format" : "xsns-session""#, #""version" : 1"#, #""masked_tokens" : 4500"#,
                      #""skipped_invalid_lines" : 3"#, #""mask_probability" : 0.15"#, #""batch_size" : 4"#,
                      #""record_inputs" : true"#, #""sha256" : "abab"#, #""fisher" : "fisher/en.seed42.safetensors""#] {
            #expect(text.contains(field), "\(field)")
        }
    }

    /// A version-1 manifest as written today must keep loading in every later xsns.
    @Test func readsAVersionOneManifest() throws {
        let text = """
        {"format":"xsns-session","version":1,"created":"2026-11-21T10:00:00Z","updated":"2026-11-21T11:00:00Z",
         "options":{"sentences":8,"seeds":[1],"estimator":"exact","batch_size":4,"max_length":128,
                    "mask_probability":0.15,"record_inputs":false,"threads":1},
         "runs":[{"language":"fi","seed":1,"status":"done","sentences":8,"tokens":90,"masked_tokens":12,
                  "skipped_invalid_lines":0,"fisher":"fisher/fi.seed1.safetensors"}]}
        """
        let manifest = try SessionManifest.decode(Data(text.utf8), file: "s.json")
        #expect(manifest.run(language: "fi", seed: 1)?.maskedTokens == 12)
        #expect(manifest.options?.estimator == "exact")
        #expect(manifest.model == nil)
    }

    @Test func aNewerVersionAsksForAnUpgrade() {
        let text = #"{"format":"xsns-session","version":2,"runs":"whatever a future format holds"}"#
        #expect(throws: InputError(file: "s.json", "written by a newer xsns (session format version 2); this xsns reads up to version 1: upgrade xsns")) {
            try SessionManifest.decode(Data(text.utf8), file: "s.json")
        }
    }

    static let corrupt: [String] = [
        "",
        #"{"format":"xsns-session","version":1,"runs":"# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}",
        "{",
        "[]",
        #"{"version":1}"#,
        #"{"format":"other","version":1}"#,
        #"{"format":"xsns-session","version":"1"}"#,
        #"{"format":"xsns-session","version":0,"created":"x","updated":"x","runs":[]}"#,
        #"{"format":"xsns-session","version":1,"created":"x","updated":"x"}"#,
        #"{"format":"xsns-session","version":1,"created":"x","updated":"x","runs":[{"language":"en"}]}"#,
        #"{"format":"xsns-session","version":1,"created":"x","updated":"x","runs":[{"language":"en","seed":1,"status":"exploded","sentences":0,"tokens":0,"masked_tokens":0,"skipped_invalid_lines":0}]}"#,
        #"{"format":"xsns-session","version":1,"created":"x","updated":"x","runs":[{"language":"../x","seed":1,"status":"done","sentences":0,"tokens":0,"masked_tokens":0,"skipped_invalid_lines":0}]}"#,
        #"{"format":"xsns-session","version":1,"created":"x","updated":"x","runs":[{"language":"en","seed":1,"status":"done","sentences":-5,"tokens":0,"masked_tokens":0,"skipped_invalid_lines":0}]}"#,
        #"{"format":"xsns-session","version":1,"created":"x","updated":"x","runs":[{"language":"en","seed":1,"status":"done","sentences":0,"tokens":0,"masked_tokens":0,"skipped_invalid_lines":0,"fisher":"../../etc/passwd"}]}"#,
        #"{"format":"xsns-session","version":1,"created":"x","updated":"x","runs":[{"language":"en","seed":1,"status":"done","sentences":0,"tokens":0,"masked_tokens":0,"skipped_invalid_lines":0},{"language":"en","seed":1,"status":"done","sentences":0,"tokens":0,"masked_tokens":0,"skipped_invalid_lines":0}]}"#,
        #"{"format":"xsns-session","version":1,"created":"x","updated":"x","runs":[],"corpora":{"directory":"c","files":{"a/b":{"file":"x","bytes":1,"modified":0,"sha256":"0"}}}}"#,
    ]

    @Test(arguments: corrupt)
    func corruptManifestsAreInputErrorsNamingTheFile(_ text: String) {
        do {
            _ = try SessionManifest.decode(Data(text.utf8), file: "Sessions/x/session.json")
            Issue.record("accepted: \(text)")
        } catch let error as InputError {
            #expect(error.file == "Sessions/x/session.json")
            #expect(!error.message.contains("\n"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func changedInputsAreListed() {
        let manifest = Self.sample()
        var model = manifest.model
        model?.files[0].sha256 = String(repeating: "ff", count: 32)
        model?.files.append(FileFingerprint(file: "extra.safetensors", bytes: 1, modified: 0, sha256: "00"))
        var corpora = manifest.corpora
        corpora?.files["en"]?.bytes = 11
        let changes = manifest.changes(model: model, tokenizer: manifest.tokenizer, corpora: corpora)
        #expect(changes == [
            "model file model.safetensors changed since the session was computed",
            "model file extra.safetensors is new since the session was computed",
            "corpus en.txt (en) changed since the session was computed",
        ])
        #expect(manifest.changes(model: manifest.model, tokenizer: manifest.tokenizer, corpora: manifest.corpora).isEmpty)
        let gone = CorporaRecord(directory: "Elsewhere", files: [:])
        #expect(manifest.changes(model: nil, tokenizer: nil, corpora: gone) == ["corpus en.txt (en) is missing from Elsewhere"])
    }
}

@Suite struct DuplicateKeyManifestTests {
    /// JSONSerialization keeps the last duplicate, JSONDecoder the first: such a file must be refused,
    /// not accepted and then rewritten with a foreign format name (a fuzz finding).
    @Test func duplicateFormatKeysAreRefused() {
        let text = #"{"created":"1970-01-01T00:00:00Z","format":"1970-01-01T00:00:00Z","runs":[],"updated":"1970-01-01T00:00:00Z","format":"xsns-session","version":1}"#
        #expect(throws: InputError.self) { try SessionManifest.decode(Data(text.utf8), file: "session.json") }
    }
}
