import Foundation
import Testing
import XSNSTestSupport
import XSNSTokenizers

/// One small pipeline per stage type (each normalizer, pre-tokenizer, model option and post-processor,
/// and added-token options): a base tokenizer.json with one part replaced, against HF's ids.
@Suite struct StageTests {
    struct Stage: CustomTestStringConvertible, Sendable {
        var name: String
        var base: String
        var overrideJSON: Data
        var cases: [(text: String, ids: [Int])]
        var testDescription: String { name }
    }

    static let stages: [Stage] = {
        guard let rows = try? ReferenceFixtures.rows("stages.jsonl") else { return [] }
        return rows.compactMap { row in
            guard let name = row["name"] as? String, let base = row["base"] as? String,
                  let override = row["override"], let cases = row["cases"] as? [[String: Any]],
                  let overrideJSON = try? JSONSerialization.data(withJSONObject: override) else { return nil }
            let pairs = cases.compactMap { item -> (String, [Int])? in
                guard let text = item["text"] as? String else { return nil }
                return (text, ReferenceFixtures.ints(item["ids"]))
            }
            return Stage(name: name, base: base, overrideJSON: overrideJSON, cases: pairs)
        }
    }()

    @Test func everyStageFixtureIsRead() {
        #expect(Self.stages.count >= 30)
    }

    @Test(arguments: stages)
    func stageMatchesHuggingFace(stage: Stage) throws {
        let url = try Self.writeVariant(of: stage)
        let tokenizer = try Tokenizer(contentsOf: url)
        for (text, expected) in stage.cases {
            if let mismatch = firstMismatch(expected: expected, actual: tokenizer.encode(text), text: text) {
                Issue.record("\(stage.name): \(mismatch)")
            }
        }
    }

    /// The base tokenizer.json with the stage's override applied, as the generator applied it.
    static func writeVariant(of stage: Stage) throws -> URL {
        let baseData = try Data(contentsOf: ReferenceFixtures.tokenizerURL(stage.base))
        var spec = try #require(try JSONSerialization.jsonObject(with: baseData) as? [String: Any])
        let override = try #require(try JSONSerialization.jsonObject(with: stage.overrideJSON) as? [String: Any])
        for (key, value) in override {
            if key == "added_tokens+" {
                spec["added_tokens"] = (spec["added_tokens"] as? [Any] ?? []) + (value as? [Any] ?? [])
            } else if let dot = key.firstIndex(of: ".") {
                let outer = String(key[..<dot])
                var inner = spec[outer] as? [String: Any] ?? [:]
                inner[String(key[key.index(after: dot)...])] = value
                spec[outer] = inner
            } else {
                spec[key] = value
            }
        }
        let url = try Fixtures.temporaryDirectory("xsns-stage").appendingPathComponent("tokenizer.json")
        try JSONSerialization.data(withJSONObject: spec).write(to: url)
        return url
    }
}
