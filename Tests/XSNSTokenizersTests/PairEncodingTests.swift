import Foundation
import Testing
import XSNSTestSupport
import XSNSTokenizers

/// Sentence pairs (PAWS-X, XNLI premise + hypothesis) as Hugging Face `tokenizers` encodes them
/// (Tests/FixtureGenerator/gen_pairs.py): the pair template's special tokens and type ids (BERT: the second
/// segment is type 1; RoBERTa and the XLM-R-type templates: all 0), and `longest_first` truncation at
/// several lengths, on the Unigram, byte-fallback, WordPiece (cased, uncased), RobertaProcessing and demo
/// tokenizers. Single sequences at the same lengths for comparison.
struct PairEncodingTests {
    struct Case: Decodable {
        var tokenizer: String
        var a: String
        var b: String?
        var max_length: Int?
        var ids: [Int]
        var type_ids: [Int]
        var tokens: [String]
    }

    static let files: [String: URL] = [
        "unigram": Fixtures.url("tokenizers/unigram.json"),
        "unigram-bytefallback": Fixtures.url("tokenizers/unigram-bytefallback.json"),
        "wordpiece-cased": Fixtures.url("tokenizers/wordpiece-cased.json"),
        "wordpiece-uncased": Fixtures.url("tokenizers/wordpiece-uncased.json"),
        "unigram-roberta": Fixtures.url("tokenizers/unigram-roberta.json"),
        "demo": Fixtures.repositoryRoot.appendingPathComponent("Sources/xsns/DemoModel/tokenizer.json"),
    ]

    @Test(arguments: ["unigram", "unigram-bytefallback", "wordpiece-cased", "wordpiece-uncased", "unigram-roberta", "demo"])
    func pairsAndTruncationMatchHuggingFace(_ name: String) throws {
        let tokenizer = try Tokenizer(contentsOf: try #require(Self.files[name]))
        let lines = try String(contentsOf: Fixtures.url("tokenizers/pairs.jsonl"), encoding: .utf8).split(separator: "\n")
        var checked = 0, mismatches: [String] = []
        for line in lines {
            let expected = try JSONDecoder().decode(Case.self, from: Data(line.utf8))
            guard expected.tokenizer == name else { continue }
            let encoding = expected.b.map { tokenizer.encode(expected.a, pair: $0, maxLength: expected.max_length) }
                ?? tokenizer.encode(expected.a, maxLength: expected.max_length)
            if encoding.ids != expected.ids || encoding.segmentIds != expected.type_ids || encoding.tokens != expected.tokens {
                mismatches.append("\(expected.a.debugDescription) + \(String(describing: expected.b?.debugDescription)) @ "
                                  + "\(String(describing: expected.max_length)): \(encoding.ids)/\(encoding.segmentIds) vs "
                                  + "\(expected.ids)/\(expected.type_ids)")
            }
            checked += 1
        }
        #expect(checked > 100, "\(name): only \(checked) cases")
        #expect(mismatches.isEmpty, "\(name): \(mismatches.count) of \(checked) differ, e.g. \(mismatches.prefix(3))")
    }

    /// A pair template must hold both sequences.
    @Test func aPairTemplateWithoutBIsRejected() throws {
        let url = try #require(Self.files["demo"])
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var post = try #require(json["post_processor"] as? [String: Any])
        var pair = try #require(post["pair"] as? [[String: Any]])
        pair.removeAll { ($0["Sequence"] as? [String: Any])?["id"] as? String == "B" }
        post["pair"] = pair
        json["post_processor"] = post
        let data = try JSONSerialization.data(withJSONObject: json)
        #expect { try Tokenizer(data: data) } throws: { "\($0)".contains("the pair template has no $B") }
    }
}
