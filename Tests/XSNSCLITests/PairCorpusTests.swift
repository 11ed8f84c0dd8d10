import Foundation
import Testing
import XSNSTestSupport

/// Record corpora (`<lang>.jsonl`, `<lang>.tsv`) with a second segment: `compute --pair-field` feeds each
/// record as the pair the tokenizer's template makes of it (the recorded inputs are `tokenize --pair`'s
/// ids), a header naming no such column or a record without the field is one line naming the file, and
/// the fields belong to the session.
struct PairCorpusTests {
    static let demo = Fixtures.repositoryRoot.appendingPathComponent("Sources/xsns/DemoModel").path

    @Test func pairsAreFedAsTheTokenizerPairsThem() throws {
        let folder = try Fixtures.temporaryDirectory()
        let corpora = folder.appendingPathComponent("corpora")
        try FileManager.default.createDirectory(at: corpora, withIntermediateDirectories: true)
        let records = [("Der Hund schläft.", "Die Katze spielt im Garten."), ("Ich lese ein Buch.", "Er schreibt einen Brief."),
                       ("Wir gehen nach Hause.", "Sie kommen morgen."), ("Das Wetter ist schön.", "Es regnet nicht.")]
        let jsonl = records.map { #"{"sentence1": "\#($0.0)", "sentence2": "\#($0.1)", "label": 1}"# }.joined(separator: "\n")
        try Data((jsonl + "\n").utf8).write(to: corpora.appendingPathComponent("de.jsonl"))
        let tsv = "id\tsentence1\tsentence2\n" + records.enumerated().map { "\($0.offset)\t\($0.element.0)\t\($0.element.1)" }
            .joined(separator: "\n")
        try Data(tsv.utf8).write(to: corpora.appendingPathComponent("fi.tsv"))
        let session = folder.appendingPathComponent("s")
        let compute = ["compute", "--session", session.path, "--model", Self.demo, "--corpora", corpora.path, "--sentences", "4",
                       "--seeds", "1", "--threads", "1", "--no-emb", "--record-inputs", "--text-field", "sentence1",
                       "--pair-field", "sentence2"]
        let result = try XSNSBinary.run(compute)
        #expect(result.status == 0, "\(result.stderr)")
        let recorded = try String(contentsOf: session.appendingPathComponent("inputs/de.seed1.jsonl"), encoding: .utf8)
            .split(separator: "\n").compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        // Which records a seed samples is its own business: every recorded sentence must be one record's pair.
        var expected: [[Int]] = []
        for (a, b) in records {
            let tokenized = try XSNSBinary.run(["tokenize", "--tokenizer", Self.demo, "--pair", b, "--max-length", "512",
                                                "--format", "json", a])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(tokenized.stdout.utf8)) as? [String: Any])
            expected.append(object["ids"] as? [Int] ?? [])
        }
        #expect(recorded.count == 4)
        for sentence in recorded {
            let labels = sentence["labels"] as? [Int] ?? [], inputs = sentence["input_ids"] as? [Int] ?? []
            // Undo the masking where a label was recorded: the original ids.
            let original = zip(inputs, labels).map { $1 == -100 ? $0 : $1 }
            #expect(expected.contains(original), "\(original) is no record's pair encoding")
            #expect(sentence["token_type_ids"] == nil, "XLM-R's template gives every token type 0")
        }
        let other = try XSNSBinary.run(compute.map { $0 == "sentence2" ? "sentence1" : $0 })
        #expect(other.status == 2 && other.stderr.contains("--pair-field"), "\(other.stderr)")
    }

    /// A BERT checkpoint: the second segment is fed with token type 1 (recorded), and the Fisher is not the
    /// one of the same records without it.
    @Test func bertPairsCarryTheirTypesThroughCompute() throws {
        // The fixture BERT with its tokenizer cut to the model's 79 ids (the fixture's vocabulary reaches id 80).
        let folder = try Fixtures.temporaryDirectory()
        let model = folder.appendingPathComponent("bert"), source = Fixtures.url("checkpoints/models/bert-tiny")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        for file in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: model.appendingPathComponent(file))
        }
        var tokenizer = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: source.appendingPathComponent("tokenizer.json"))) as? [String: Any])
        var wordPiece = try #require(tokenizer["model"] as? [String: Any])
        wordPiece["vocab"] = (wordPiece["vocab"] as? [String: Int] ?? [:]).filter { $0.value < 79 }
        tokenizer["model"] = wordPiece
        try JSONSerialization.data(withJSONObject: tokenizer).write(to: model.appendingPathComponent("tokenizer.json"))
        let bert = model.path
        let corpora = folder.appendingPathComponent("corpora")
        try FileManager.default.createDirectory(at: corpora, withIntermediateDirectories: true)
        let records = (0..<12).map { i in
            #"{"premise": "the model of language \#(i % 3 == 0 ? "and" : "is") transfer", "hypothesis": "der fisher und la sub network \#(["a", "b", "c"][i % 3])"}"#
        }
        try Data((records.joined(separator: "\n") + "\n").utf8).write(to: corpora.appendingPathComponent("de.jsonl"))
        func compute(_ session: URL, _ extra: [String]) throws -> CommandResult {
            try XSNSBinary.run(["compute", "--session", session.path, "--model", bert, "--corpora", corpora.path,
                                "--sentences", "12", "--seeds", "1", "--threads", "1", "--no-emb", "--text-field", "premise",
                                "--max-length", "40"] + extra)
        }
        let paired = folder.appendingPathComponent("paired"), alone = folder.appendingPathComponent("alone")
        #expect(try compute(paired, ["--pair-field", "hypothesis", "--record-inputs"]).status == 0)
        #expect(try compute(alone, []).status == 0)
        let line = try String(contentsOf: paired.appendingPathComponent("inputs/de.seed1.jsonl"), encoding: .utf8)
            .split(separator: "\n")[0]
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let types = try #require(object["token_type_ids"] as? [Int], "no token_type_ids recorded: \(line)")
        #expect(types.first == 0 && types.last == 1 && types.contains(0) && types.contains(1))
        let fisher = "fisher/de.seed1.safetensors"
        #expect(try Data(contentsOf: paired.appendingPathComponent(fisher)) != Data(contentsOf: alone.appendingPathComponent(fisher)))

    }

    /// Windows line ends, a short TSV row, a non-string field, fields for a .txt corpus, no room for a pair.
    @Test(arguments: [
        ("de.jsonl", "{\"text\": \"Hallo Welt\", \"b\": \"Guten Tag\"}\r\n{\"text\": \"Wie geht es\", \"b\": \"Gut\"}\r\n", ["--pair-field", "b"], nil as String?),
        ("de.tsv", "text\tb\r\nHallo Welt\tGuten Tag\r\nWie geht es\tGut\r\n", ["--pair-field", "b"], nil),
        ("de.tsv", "text\tb\nHallo Welt\tGuten Tag\nWie geht es\n", ["--pair-field", "b"], "line 3: 1 fields where the header has 2"),
        ("de.jsonl", "{\"text\": \"Hallo\", \"b\": 3}\n", ["--pair-field", "b"], "field 'b' is not a string"),
        ("de.txt", "Hallo Welt\n", ["--pair-field", "b"], "apply to .jsonl and .tsv"),
        ("de.jsonl", "{\"text\": \"Hallo\", \"b\": \"Welt\"}\n", ["--pair-field", "b", "--max-length", "4"], "no room for a pair"),
    ])
    func recordCorpusEdges(file: String, content: String, flags: [String], error: String?) throws {
        let folder = try Fixtures.temporaryDirectory()
        let corpora = folder.appendingPathComponent("corpora")
        try FileManager.default.createDirectory(at: corpora, withIntermediateDirectories: true)
        try Data(content.utf8).write(to: corpora.appendingPathComponent(file))
        let result = try XSNSBinary.run(["compute", "--session", folder.appendingPathComponent("s").path, "--model", Self.demo,
                                         "--corpora", corpora.path, "--sentences", "2", "--seeds", "1", "--threads", "1", "--no-emb"]
                                        + flags)
        if let error {
            #expect(result.status == 2 && result.stderr.contains(error) && result.stderr.split(separator: "\n").count == 1,
                    "\(result.stderr)")
        } else {
            #expect(result.status == 0, "\(result.stderr)")
        }
    }

    @Test func aMissingFieldIsOneLineNamingTheFile() throws {
        let folder = try Fixtures.temporaryDirectory()
        let corpora = folder.appendingPathComponent("corpora")
        try FileManager.default.createDirectory(at: corpora, withIntermediateDirectories: true)
        try Data("{\"text\": \"Hallo\"}\n{\"other\": \"x\"}\n".utf8).write(to: corpora.appendingPathComponent("de.jsonl"))
        let result = try XSNSBinary.run(["compute", "--session", folder.appendingPathComponent("s").path, "--model", Self.demo,
                                         "--corpora", corpora.path, "--sentences", "2", "--seeds", "1", "--threads", "1"])
        #expect(result.status == 2 && result.stderr.contains("de.jsonl") && result.stderr.contains("line 2"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
