import Foundation
import Testing
import XSNSTestSupport

@testable import XSNSAnalysis

/// The machine-readable outputs keep DESIGN.md's key names and carry the reference values.
struct ReportTests {
    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func matrixAndRankJSONFollowTheContract() throws {
        let (collection, reference, _) = try CollectionTests.collection()
        let matrix = try collection.matrix(p: reference.p, metric: .jaccard).mean
        let json = try Self.object(AnalysisReports.matrix(matrix, metric: "jaccard", p: reference.p, format: .json))
        #expect(Set(json.keys) == ["metric", "p", "languages", "matrix"])
        #expect(json["languages"] as? [String] == reference.languages)
        let rows = try #require(json["matrix"] as? [[Double]])
        for (row, expected) in zip(rows, reference.matrices["jaccard"]!) {
            #expect(zip(row, expected).allSatisfy { close($0, $1, tolerance: 1e-12) })
        }
        let rank = try Self.object(AnalysisReports.rank(Ranking(target: "fi", matrix: matrix), metric: "jaccard", p: reference.p, format: .json))
        #expect(Set(rank.keys) == ["target", "metric", "p", "candidates"])
        let candidates = try #require(rank["candidates"] as? [[String: Any]])
        let scores = candidates.compactMap { $0["score"] as? Double }
        #expect(scores == scores.sorted(by: >) && scores.count == 2)
        #expect(Set(candidates.compactMap { $0["language"] as? String }) == ["en", "et"])
    }

    @Test func evaluationJSONFollowsTheContractWithScikitLearnValues() throws {
        let reference: EvaluationTests.Synthetic = try AnalysisFixtures.json("eval_synthetic.json")
        let run = try #require(reference.runs["k3"])
        let gold = try TransferTable.load(Fixtures.url("analysis/gold_synthetic.csv"))
        let scores = try TransferTable.load(Fixtures.url("analysis/scores_synthetic.csv"))
        let evaluation = try TransferEvaluation(predictions: scores, gold: gold, k: 3)
        let json = try Self.object(AnalysisReports.evaluation(evaluation, regression: nil, format: .json))
        #expect(Set(json.keys) == ["k", "mean", "targets"])
        #expect(json["k"] as? Int == 3)
        let mean = try #require(json["mean"] as? [String: Any])
        #expect(Set(mean.keys) == ["ndcg", "top1", "top3", "top5", "pearson", "spearman", "adv_over_en"])
        #expect(close(mean["ndcg"] as? Double, run.mean.ndcg))
        let targets = try #require(json["targets"] as? [String: [String: Any]])
        #expect(Set(targets.keys) == Set(run.order))
        for (target, values) in targets {
            #expect(Set(values.keys) == ["ndcg", "top1", "top3", "top5", "pearson", "spearman", "adv_over_en", "n"])
            #expect(values["n"] as? Int == run.targets[target]?.n)
            #expect(close(values["spearman"] as? Double, run.targets[target]?.spearman))  // null stays null
        }
    }

    @Test func csvFieldsAreQuotedOnlyWhenNeeded() throws {
        let text = TextTable.csv([["a", "b,c", "say \"hi\""], ["1", "", "x\ny"]])
        let records = try CSVRecords(text: text).records
        #expect(records.map(\.fields) == [["a", "b,c", "say \"hi\""], ["1", "", "x\ny"]])
    }
}
