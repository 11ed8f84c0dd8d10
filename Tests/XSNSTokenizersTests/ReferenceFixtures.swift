import Foundation
import Testing
import XSNSTestSupport
import XSNSTokenizers

/// Reads what `Tests/FixtureGenerator/gen_tokenizers.py` recorded from Hugging Face tokenizers.
enum ReferenceFixtures {
    static let tokenizerNames = ["unigram", "unigram-bytefallback", "wordpiece-cased", "wordpiece-uncased"]

    static func tokenizerURL(_ name: String) -> URL {
        Fixtures.url("tokenizers/\(name).json")
    }

    static func tokenizer(_ name: String) throws -> Tokenizer {
        try Tokenizer(contentsOf: tokenizerURL(name))
    }

    /// The rows of a JSONL fixture as dictionaries.
    static func rows(_ file: String) throws -> [[String: Any]] {
        let text = try String(contentsOf: Fixtures.url("tokenizers/\(file)"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            guard let row = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw FixtureError("\(file): a line is not a JSON object")
            }
            return row
        }
    }

    static func ints(_ value: Any?) -> [Int] {
        (value as? [Any])?.compactMap { ($0 as? NSNumber)?.intValue } ?? []
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A readable account of the first difference between expected and actual ids.
func firstMismatch(expected: [Int], actual: Encoding, text: String) -> String? {
    guard expected != actual.ids else { return nil }
    let index = zip(expected, actual.ids).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        ?? min(expected.count, actual.ids.count)
    let from = max(0, index - 3)
    let expectedContext = expected[from..<min(expected.count, index + 4)]
    let actualContext = actual.ids[from..<min(actual.ids.count, index + 4)]
    let tokenContext = actual.tokens[from..<min(actual.tokens.count, index + 4)]
    return """
        text: \(text.debugDescription)
        first difference at id #\(index) (lengths HF \(expected.count), Swift \(actual.ids.count))
        HF:    …\(Array(expectedContext))
        Swift: …\(Array(actualContext)) \(Array(tokenContext))
        """
}
