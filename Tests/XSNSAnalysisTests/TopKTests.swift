import Foundation
import Testing
import XSNSAnalysis
import XSNSTestSupport

/// Top-3/Top-5 accuracy and the advantage over English against a replay of the X-SNS reference
/// notebook's loop on 295 random rankings with many ties (Tests/FixtureGenerator/gen_topk.py).
struct TopKTests {
    struct Case: Decodable {
        var sources: [String]
        var target: String
        var gold: [Double]
        var predicted: [Double]
        var top3: Int
        var top5: Int
        var adv: Double?
    }
    struct Cases: Decodable { var cases: [Case] }

    @Test func matchesTheReferenceNotebook() throws {
        let cases = try JSONDecoder().decode(Cases.self, from: Data(contentsOf: Fixtures.url("analysis/topk.json"))).cases
        var hits = (top3: 0, top5: 0)
        for (index, reference) in cases.enumerated() {
            var gold = TransferTable(), predictions = TransferTable()
            for (source, (g, p)) in zip(reference.sources, zip(reference.gold, reference.predicted)) {
                gold.insert(source: source, target: reference.target, value: g)
                predictions.insert(source: source, target: reference.target, value: p)
            }
            let result = try #require(try TransferEvaluation(predictions: predictions, gold: gold, k: 3).targets.first)
            #expect(result.top3 == Double(reference.top3), "case \(index)")
            #expect(result.top5 == Double(reference.top5), "case \(index)")
            #expect(result.advantageOverEnglish == reference.adv, "case \(index)")
            hits.top3 += reference.top3
            hits.top5 += reference.top5
        }
        print("\(cases.count) rankings: top-3 hits \(hits.top3), top-5 hits \(hits.top5), as the notebook counts them")
        #expect(hits.top3 > 0 && hits.top3 < cases.count && hits.top5 > hits.top3)
    }
}
