import Foundation
import Testing
import XSNSTestSupport
@testable import XSNSTokenizers

/// The character classes of the Bert components, for every scalar, against HF's behaviour (recorded by
/// the generator as ranges: which scalars BertNormalizer's clean_text drops, which accent stripping drops,
/// which BertPreTokenizer isolates as punctuation or drops as whitespace, which are spaced out as CJK).
@Suite struct UnicodeClassTests {
    static let tables: [String: [[Int]]] = {
        guard let data = try? Data(contentsOf: Fixtures.url("tokenizers/unicode.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object.mapValues { value in
            (value as? [[Any]] ?? []).map { $0.compactMap { ($0 as? NSNumber)?.intValue } }
        }
    }()

    static let classes: [(String, @Sendable (Unicode.Scalar) -> Bool)] = [
        ("control", { $0.value == 0 || $0.value == 0xFFFD || HFUnicode.isControl($0) }),
        // Only scalars that NFD leaves alone can be probed through accent stripping.
        ("nonspacing_mark", { HFUnicode.isNonspacingMark($0) && !hasCanonicalDecomposition($0) }),
        ("punctuation", { !HFUnicode.isWhitespace($0) && HFUnicode.isPunctuation($0) }),
        ("chinese", HFUnicode.isChineseCharacter),
        ("whitespace", HFUnicode.isWhitespace),
        ("combining_mark", { HFUnicode.isCombiningMark($0) && !hasCanonicalDecomposition($0) }),
        ("word", HFUnicode.isWordCharacter),
    ]

    @Test(arguments: ["control", "nonspacing_mark", "punctuation", "chinese", "whitespace", "combining_mark", "word"])
    func classMatchesHuggingFaceForEveryScalar(name: String) throws {
        let ranges = try #require(Self.tables[name], "unicode.json has no \(name) table")
        let predicate = try #require(Self.classes.first { $0.0 == name }?.1)
        var expected = Set<Int>()
        for range in ranges where range.count == 2 { expected.formUnion(range[0]...range[1]) }
        var wrong: [String] = []
        for value in 0...0x10FFFF {
            guard let scalar = Unicode.Scalar(value), !(0xD800...0xDFFF).contains(value) else { continue }
            if predicate(scalar) != expected.contains(value) {
                wrong.append(String(format: "U+%04X", value))
            }
        }
        #expect(wrong.isEmpty, "\(name): \(wrong.count) scalars differ, e.g. \(wrong.prefix(20))")
    }
}

private func hasCanonicalDecomposition(_ scalar: Unicode.Scalar) -> Bool {
    Array(String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars) != [scalar]
}
