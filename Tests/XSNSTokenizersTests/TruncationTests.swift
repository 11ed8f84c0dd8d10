import Foundation
import Testing
import XSNSTokenizers

/// `encode(_:maxLength:)` against HF `truncation=True, max_length=N`.
@Suite struct TruncationTests {
    @Test(arguments: ReferenceFixtures.tokenizerNames)
    func truncationMatchesHuggingFace(tokenizerName: String) throws {
        let tokenizer = try ReferenceFixtures.tokenizer(tokenizerName)
        let rows = try ReferenceFixtures.rows("truncation.jsonl").filter { $0["tokenizer"] as? String == tokenizerName }
        #expect(!rows.isEmpty)
        for row in rows {
            let text = try #require(row["text"] as? String)
            let maxLength = try #require((row["max_length"] as? NSNumber)?.intValue)
            let encoding = tokenizer.encode(text, maxLength: maxLength)
            #expect(encoding.ids == ReferenceFixtures.ints(row["ids"]), "max_length \(maxLength)")
            #expect(encoding.tokens.count == encoding.ids.count)
        }
    }
}
