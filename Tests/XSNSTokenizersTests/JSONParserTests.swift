import Foundation
import Testing
@testable import XSNSTokenizers

/// The tokenizer.json parser against Foundation's JSONSerialization on documents with every kind of
/// escape, number and nesting that tokenizer files contain.
@Suite struct JSONParserTests {
    static let documents = [
        #"{"a": "plain", "b": "caf\u00e9 \"q\" back\\slash \/ \n\t\r\b\f", "c": "\ud83d\ude00 emoji"}"#,
        #"{"vocab": [["▁the", -3.25], ["<0x0A>", 0.0], ["x", -1e-3], ["y", 12.5E+2], ["z", -0]]}"#,
        #"[true, false, null, [], {}, [[["deep"]]], 0, -7, 3.141592653589793]"#,
        #"  {"unicode": "日本語 ภาษาไทย عربى", "escaped": "\u65e5\u672c"}  "#,
    ]

    @Test(arguments: documents)
    func parsesLikeJSONSerialization(document: String) throws {
        let data = Data(document.utf8)
        let reference = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        let parsed = try JSONParser.parse(data)
        #expect(Self.same(parsed, reference), "\(document)")
    }

    /// Structural equality with a Foundation object tree; strings compared scalar by scalar.
    static func same(_ value: JSONValue, _ reference: Any) -> Bool {
        switch value {
        case .null: return reference is NSNull
        case .bool(let flag): return (reference as? Bool) == flag
        case .number(let number): return (reference as? NSNumber)?.doubleValue == number
        case .string(let text):
            guard let other = reference as? String else { return false }
            return Array(text.unicodeScalars) == Array(other.unicodeScalars)
        case .array(let items):
            guard let others = reference as? [Any], others.count == items.count else { return false }
            return zip(items, others).allSatisfy { same($0, $1) }
        case .object(let members):
            guard let others = reference as? [String: Any], others.count == members.count else { return false }
            return members.allSatisfy { key, item in others[key].map { same(item, $0) } ?? false }
        }
    }
}
