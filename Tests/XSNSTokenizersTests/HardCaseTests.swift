import Foundation
import Testing
import XSNSTokenizers

/// Hand-picked hard inputs (combining marks, full-width forms, scripts, emoji, control characters,
/// long words, empty and blank text, special tokens in the text): ids and tokens as HF gives them.
@Suite struct HardCaseTests {
    @Test(arguments: ReferenceFixtures.tokenizerNames)
    func hardCasesMatchHuggingFace(tokenizerName: String) throws {
        let tokenizer = try ReferenceFixtures.tokenizer(tokenizerName)
        let rows = try ReferenceFixtures.rows("hard.jsonl").filter { $0["tokenizer"] as? String == tokenizerName }
        #expect(rows.count > 50)
        for row in rows {
            let text = try #require(row["text"] as? String)
            let encoding = tokenizer.encode(text)
            if let mismatch = firstMismatch(expected: ReferenceFixtures.ints(row["ids"]), actual: encoding, text: text) {
                Issue.record("\(tokenizerName): \(mismatch)")
            } else {
                #expect(encoding.tokens == (row["tokens"] as? [String] ?? []), "\(text.debugDescription)")
            }
        }
    }
}
