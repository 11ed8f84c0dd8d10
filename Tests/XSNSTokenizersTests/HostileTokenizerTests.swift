import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport

@testable import XSNSTokenizers

/// Findings of the fuzz campaigns, each now refused when the tokenizer is loaded.
@Suite struct HostileTokenizerTests {
    static func edited(_ fixture: String, _ edit: (inout [String: Any]) -> Void) throws -> Data {
        var root = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("tokenizers/\(fixture)"))) as? [String: Any])
        edit(&root)
        return try JSONSerialization.data(withJSONObject: root)
    }

    @Test func specialTokenIdsOutsideTheVocabularyAreRefused() throws {
        let data = try Self.edited("wordpiece-cased.json") { root in
            root["post_processor"] = ["type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 4_294_967_296]]
        }
        #expect { try Tokenizer(data: data) } throws: { ($0 as? InputError)?.message.contains("outside the vocabulary") == true }
    }

    @Test func aTemplateRepeatingTheSequenceIsRefused() throws {
        let data = try Self.edited("unigram.json") { root in
            var processor = root["post_processor"] as? [String: Any] ?? [:]
            var single = processor["single"] as? [Any] ?? []
            single.append(["Sequence": ["id": "A", "type_id": 0]])
            processor["single"] = single
            root["post_processor"] = processor
        }
        #expect { try Tokenizer(data: data) } throws: { ($0 as? InputError)?.message.contains("more than once") == true }
    }

    @Test func charsmapReplacementsLongerThanAnyRealOneAreRefused() throws {
        // A one-unit trie (4 bytes) followed by the replacement pool.
        func blob(replacementLength: Int) -> [UInt8] {
            [4, 0, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: UInt8(ascii: "x"), count: replacementLength) + [0]
        }
        #expect(throws: Never.self) { try PrecompiledCharsMap(blob(replacementLength: PrecompiledCharsMap.longestReplacement)) }
        #expect(throws: InputError.self) { try PrecompiledCharsMap(blob(replacementLength: PrecompiledCharsMap.longestReplacement + 1)) }
    }
}
