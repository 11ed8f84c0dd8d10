import Foundation
import XSNSStorage

/// `Replace`: every non-overlapping match of a literal string or a regular expression becomes `content`.
///
/// XLM-R's converted tokenizers use `Replace(Regex(" {2,}"), "▁")`. Hugging Face runs patterns with
/// Oniguruma; here ICU (`NSRegularExpression`) runs them, which agrees on the simple patterns tokenizer
/// files use. Literal patterns are matched scalar by scalar, as Hugging Face does.
struct ReplaceNormalizer: Normalizer {
    // NSRegularExpression is immutable and documented as safe to use from several threads.
    private enum Pattern: @unchecked Sendable {
        case literal([Unicode.Scalar])
        case regex(NSRegularExpression)
    }

    private let pattern: Pattern
    private let content: String

    init(_ fields: JSONFields) throws(InputError) {
        let patternFields = try fields.object("pattern")
        content = try fields.string("content")
        if let literal = try patternFields.optionalString("String") {
            guard !literal.isEmpty else {
                throw InputError("\(patternFields.fieldPath("String")) must not be empty")
            }
            pattern = .literal(Array(literal.unicodeScalars))
        } else if let source = try patternFields.optionalString("Regex") {
            do {
                pattern = .regex(try NSRegularExpression(pattern: source))
            } catch {
                throw InputError("\(patternFields.fieldPath("Regex")): invalid regular expression \"\(source)\"")
            }
        } else {
            throw InputError("\(patternFields.path) must hold \"String\" or \"Regex\"")
        }
    }

    func normalize(_ text: String) -> String {
        switch pattern {
        case .literal(let needle): return replaceLiteral(needle, in: text)
        case .regex(let regex):
            let whole = NSRange(location: 0, length: (text as NSString).length)
            return regex.stringByReplacingMatches(
                in: text, range: whole, withTemplate: NSRegularExpression.escapedTemplate(for: content))
        }
    }

    private func replaceLiteral(_ needle: [Unicode.Scalar], in text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if index + needle.count <= scalars.count, scalars[index..<(index + needle.count)].elementsEqual(needle) {
                output.append(contentsOf: content.unicodeScalars)
                index += needle.count
            } else {
                output.append(scalars[index])
                index += 1
            }
        }
        return String(output)
    }
}
