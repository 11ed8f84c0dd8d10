import Foundation
import Testing
import XSNSTestSupport

/// `xsns tokenize` from outside: ids as HF `encode` gives them (special tokens included), one JSON
/// object per input, stdin as one input per line, bad tokenizer paths exit 2 with one line.
@Suite struct TokenizeCommandTests {
    static let demo = Fixtures.repositoryRoot.appendingPathComponent("Sources/xsns/DemoModel")

    @Test func argumentsAndStdinGiveTheSameJSONLines() throws {
        let texts = ["Die Birnen sind noch nicht reif.", "冬天不到五点太阳就下山了。"]
        let fromArguments = try XSNSBinary.run(["tokenize", "--tokenizer", Self.demo.path, "--format", "json"] + texts)
        #expect(fromArguments.status == 0, "\(fromArguments.stderr)")
        let fromStdin = try XSNSBinary.run(
            ["tokenize", "--tokenizer", Self.demo.appendingPathComponent("tokenizer.json").path, "--format", "json"],
            stdin: texts.joined(separator: "\n") + "\n")
        #expect(fromStdin.stdout == fromArguments.stdout)
        let lines = fromArguments.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        // Reference from HF tokenizers, recorded when the demo tokenizer was generated (gen_demo.py).
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["tokens"] as? [String] == ["<s>", "▁Die", "▁", "B", "ir", "n", "en", "▁sind", "▁noch", "▁nicht", "▁re", "i", "f", ".", "</s>"])
        let second = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any]
        #expect(second?["tokens"] as? [String] == ["<s>", "▁", "冬", "天", "不", "到", "五", "点", "太", "阳", "就", "下", "山", "了", "。", "</s>"])
        #expect((first?["ids"] as? [Int])?.first == 0)
        #expect((first?["ids"] as? [Int])?.last == 2)
    }

    @Test(arguments: ["missing", "folder", "unsupported"])
    func badTokenizerPathsExitTwoWithOneLine(kind: String) throws {
        let folder = try Fixtures.temporaryDirectory()
        let path: URL
        switch kind {
        case "missing": path = folder.appendingPathComponent("nope.json")
        case "folder": path = folder
        default:
            path = folder.appendingPathComponent("tokenizer.json")
            try Data(#"{"model": {"type": "BPE", "vocab": {}, "merges": []}}"#.utf8).write(to: path)
        }
        let result = try XSNSBinary.run(["tokenize", "--tokenizer", path.path, "x"])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(path.path), "\(result.stderr)")
    }

    /// `--pair` encodes each input with a second segment: BERT's template gives it type 1.
    @Test func pairsCarryTypeIds() throws {
        let result = try XSNSBinary.run(["tokenize", "--tokenizer", Fixtures.url("tokenizers/wordpiece-cased.json").path,
                                         "--pair", "b c d e f", "--max-length", "8", "--format", "json", "a b c d"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#""type_ids":[0,0,0,0,1,1,1,1]"#) && result.stdout.contains(#""tokens":["[CLS]","a","b","[SEP]","b","c","d","[SEP]"]"#),
                "\(result.stdout)")
    }
}
