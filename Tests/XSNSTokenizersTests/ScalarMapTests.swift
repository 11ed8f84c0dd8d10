import Foundation
import Testing
import XSNSTestSupport
@testable import XSNSTokenizers

/// Every Unicode scalar through each single-scalar normalizer (NFC, NFD, NFKC, NFKD, Lowercase, and the
/// Precompiled `nmt_nfkc` charsmap of unigram.json), against what HF makes of it. This checks the
/// charsmap decoder on every entry and Foundation's normalization tables against HF's.
@Suite struct ScalarMapTests {
    static let maps: [String: [Int: String]] = {
        guard let data = try? Data(contentsOf: Fixtures.url("tokenizers/scalar-maps.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: [[Any]]] else { return [:] }
        return object.mapValues { pairs in
            var map: [Int: String] = [:]
            for pair in pairs where pair.count == 2 {
                if let scalar = (pair[0] as? NSNumber)?.intValue, let output = pair[1] as? String {
                    map[scalar] = output
                }
            }
            return map
        }
    }()

    static func normalizer(_ name: String) throws -> any Normalizer {
        if name == "Precompiled" {
            let data = try Data(contentsOf: Fixtures.url("tokenizers/unigram.json"))
            let sequence = try #require(try JSONParser.parse(data)["normalizer"]?["normalizers"]?.arrayValue)
            return try makeNormalizer(sequence[0], path: "normalizer.normalizers[0]")
        }
        return try makeNormalizer(.object(["type": .string(name)]), path: "normalizer")
    }

    @Test(arguments: ["NFC", "NFD", "NFKC", "NFKD", "Lowercase", "Precompiled"])
    func everyScalarMatchesHuggingFace(name: String) throws {
        let expected = try #require(Self.maps[name], "scalar-maps.json has no \(name) map")
        let normalizer = try Self.normalizer(name)
        let decomposes = name == "NFD" || name == "NFKD"
        var wrong: [String] = []
        for value in 0...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            // Hangul syllables are not recorded for the decompositions (they decompose arithmetically).
            if decomposes, (0xAC00...0xD7A3).contains(value) { continue }
            let input = String(scalar)
            let output = normalizer.normalize(input)
            let reference = expected[value] ?? input
            if Array(output.unicodeScalars) != Array(reference.unicodeScalars) {
                wrong.append(String(format: "U+%04X", value))
            }
        }
        #expect(wrong.isEmpty, "\(name): \(wrong.count) scalars differ, e.g. \(wrong.prefix(20))")
    }
}
