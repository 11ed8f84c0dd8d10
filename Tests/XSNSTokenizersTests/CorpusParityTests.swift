import Foundation
import Testing
import XSNSTestSupport
import XSNSTokenizers

/// A seeded sample of every `shared/corpora/ud/*.txt` file: ids identical to HF for every line.
/// Only line numbers are committed, so this reads the corpora and skips where they are absent.
@Suite struct CorpusParityTests {
    @Test(arguments: ReferenceFixtures.tokenizerNames)
    func corpusSampleMatchesHuggingFace(tokenizerName: String) throws {
        guard let shared = Fixtures.shared else {
            print("note: ../shared is absent; corpus parity for \(tokenizerName) skipped")
            return
        }
        let tokenizer = try ReferenceFixtures.tokenizer(tokenizerName)
        let rows = try ReferenceFixtures.rows("corpus.jsonl").filter { $0["tokenizer"] as? String == tokenizerName }
        var corpora: [String: [String]] = [:]
        var checked = 0
        var mismatches = 0
        for row in rows {
            let language = try #require(row["lang"] as? String)
            let lineNumber = try #require((row["line"] as? NSNumber)?.intValue)
            if corpora[language] == nil {
                let url = shared.appendingPathComponent("corpora/ud/\(language).txt")
                var lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
                if lines.last == "" { lines.removeLast() }
                corpora[language] = lines
            }
            let lines = corpora[language] ?? []
            try #require(lineNumber < lines.count, "\(language).txt has no line \(lineNumber)")
            let text = lines[lineNumber]
            checked += 1
            if let mismatch = firstMismatch(
                expected: ReferenceFixtures.ints(row["ids"]), actual: tokenizer.encode(text), text: text) {
                mismatches += 1
                if mismatches == 1 { Issue.record("\(tokenizerName) \(language).txt line \(lineNumber): \(mismatch)") }
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(checked) lines differ")
        #expect(checked > 1000)
    }
}
