import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport
import XSNSTokenizers

/// Unsupported or malformed tokenizer.json files: a `InputError` naming the file and the problem.
@Suite struct LoadErrorTests {
    struct BadFile: CustomTestStringConvertible, Sendable {
        var label: String
        var json: String
        var expectedMessage: String
        var testDescription: String { label }
    }

    static let wordPieceModel = #"{"type":"WordPiece","unk_token":"[UNK]","vocab":{"[UNK]":0,"a":1}}"#

    static let badFiles: [BadFile] = [
        BadFile(label: "not JSON", json: "{\"model\": ", expectedMessage: "invalid JSON"),
        BadFile(label: "empty file", json: "", expectedMessage: "invalid JSON"),
        BadFile(label: "trailing garbage", json: "{} x", expectedMessage: "invalid JSON"),
        BadFile(label: "not an object", json: "[1, 2]", expectedMessage: "the document must be a JSON object"),
        BadFile(label: "no model", json: "{}", expectedMessage: "model is missing"),
        BadFile(label: "BPE model", json: #"{"model":{"type":"BPE","vocab":{},"merges":[]}}"#,
                expectedMessage: #"unsupported model type "BPE""#),
        BadFile(label: "unknown normalizer",
                json: #"{"normalizer":{"type":"Prepend","prepend":"x"},"model":\#(wordPieceModel)}"#,
                expectedMessage: #"unsupported normalizer type "Prepend""#),
        BadFile(label: "unknown normalizer in a sequence",
                json: #"{"normalizer":{"type":"Sequence","normalizers":[{"type":"NFC"},{"type":"Nmt"}]},"model":\#(wordPieceModel)}"#,
                expectedMessage: #"normalizer.normalizers[1]: unsupported normalizer type "Nmt""#),
        BadFile(label: "ByteLevel pre-tokenizer",
                json: #"{"pre_tokenizer":{"type":"ByteLevel"},"model":\#(wordPieceModel)}"#,
                expectedMessage: #"unsupported pre-tokenizer type "ByteLevel""#),
        BadFile(label: "ByteLevel post-processor",
                json: #"{"post_processor":{"type":"ByteLevel"},"model":\#(wordPieceModel)}"#,
                expectedMessage: #"unsupported post-processor type "ByteLevel""#),
        BadFile(label: "bad charsmap",
                json: #"{"normalizer":{"type":"Precompiled","precompiled_charsmap":"!!"},"model":\#(wordPieceModel)}"#,
                expectedMessage: "not valid base64"),
        BadFile(label: "truncated charsmap",
                json: #"{"normalizer":{"type":"Precompiled","precompiled_charsmap":"AAEAAA=="},"model":\#(wordPieceModel)}"#,
                expectedMessage: "does not fit"),
        BadFile(label: "unigram entry", json: #"{"model":{"type":"Unigram","vocab":[["a"]]}}"#,
                expectedMessage: "model.vocab[0] must be a [piece, score] pair"),
        BadFile(label: "unk outside vocab", json: #"{"model":{"type":"Unigram","unk_id":5,"vocab":[["a",-1.0]]}}"#,
                expectedMessage: "unk_id 5 is outside the vocabulary"),
        BadFile(label: "unk not in wordpiece vocab",
                json: #"{"model":{"type":"WordPiece","unk_token":"[UNK]","vocab":{"a":0}}}"#,
                expectedMessage: #""[UNK]" is not in the vocabulary"#),
        BadFile(label: "added tokens not a list",
                json: #"{"added_tokens":{"x":1},"model":\#(wordPieceModel)}"#,
                expectedMessage: "added_tokens must be an array"),
        BadFile(label: "bad added token",
                json: #"{"added_tokens":[{"content":"x"}],"model":\#(wordPieceModel)}"#,
                expectedMessage: "added_tokens[0].id must be a non-negative integer"),
        BadFile(label: "template with unknown special",
                json: #"{"post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<s>","type_id":0}}],"pair":[],"special_tokens":{}},"model":\#(wordPieceModel)}"#,
                expectedMessage: #"special token "<s>" is not in special_tokens"#),
        BadFile(label: "deep nesting", json: String(repeating: "[", count: 10_000),
                expectedMessage: "nesting too deep"),
    ]

    @Test(arguments: badFiles)
    func badFileIsAnInputErrorNamingTheFile(bad: BadFile) throws {
        let url = try Fixtures.temporaryDirectory("xsns-tok").appendingPathComponent("tokenizer.json")
        try Data(bad.json.utf8).write(to: url)
        do throws(InputError) {
            _ = try Tokenizer(contentsOf: url)
            Issue.record("\(bad.label): loaded without error")
        } catch {
            #expect(error.file == url.path)
            #expect(error.message.contains(bad.expectedMessage), "\(error.message)")
        }
    }

    @Test func missingFileIsAnInputError() throws {
        let url = try Fixtures.temporaryDirectory("xsns-tok").appendingPathComponent("absent.json")
        #expect(throws: InputError(file: url.path, "cannot read the tokenizer file")) {
            try Tokenizer(contentsOf: url)
        }
    }
}
