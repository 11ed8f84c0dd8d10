import Foundation
import Testing
import XSNSTestSupport

/// `eval --gold a.csv,b.csv`: one gold file per fine-tuning seed, each evaluated and the results averaged
/// (as the X-SNS reference notebook averages over seed pairs); the report carries Top-3/Top-5 and the
/// advantage over English.
@Suite struct EvalSeedsTests {
    static func evaluate(_ gold: String) throws -> [String: Double] {
        let result = try XSNSBinary.run(["eval", "--scores", Fixtures.url("analysis/scores_synthetic.csv").path,
                                         "--gold", gold, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return (json?["mean"] as? [String: Any])?.compactMapValues { $0 as? Double } ?? [:]
    }

    @Test func severalGoldFilesAreAveraged() throws {
        // Two fine-tuning seeds that disagree on the order of fi's and et's sources.
        let folder = try Fixtures.temporaryDirectory()
        let first = folder.appendingPathComponent("gold-seed1.csv"), second = folder.appendingPathComponent("gold-seed2.csv")
        try "target,source,score\nfi,et,0.81\nfi,hu,0.62\nfi,de,0.60\nfi,en,0.55\net,fi,0.84\net,hu,0.58\net,de,0.61\net,en,0.62\n"
            .write(to: first, atomically: false, encoding: .utf8)
        try "target,source,score\nfi,et,0.50\nfi,hu,0.62\nfi,de,0.70\nfi,en,0.55\net,fi,0.60\net,hu,0.58\net,de,0.71\net,en,0.52\n"
            .write(to: second, atomically: false, encoding: .utf8)
        let a = try Self.evaluate(first.path), b = try Self.evaluate(second.path)
        let both = try Self.evaluate("\(first.path),\(second.path)")
        for key in ["ndcg", "top1", "top3", "top5", "spearman"] {
            let expected = (a[key]! + b[key]!) / 2
            #expect(abs(both[key]! - expected) < 1e-12, "\(key): \(both[key]!) vs \(expected)")
        }
        #expect(a["ndcg"] != b["ndcg"], "the second seed should rank differently")

        // The same two seeds as one long file with a seed column: the same averages.
        let seeded = folder.appendingPathComponent("gold-seeds.csv")
        let rows = [(first, "1"), (second, "2")].flatMap { file, seed in
            (try? String(contentsOf: file, encoding: .utf8))?.split(separator: "\n").dropFirst().map { "\($0),\(seed)" } ?? []
        }
        try ("target,source,score,seed\n" + rows.joined(separator: "\n") + "\n").write(to: seeded, atomically: false, encoding: .utf8)
        let column = try Self.evaluate(seeded.path)
        for key in ["ndcg", "top1", "top3", "top5", "spearman"] {
            #expect(abs(column[key]! - both[key]!) < 1e-12, "\(key) with a seed column: \(column[key]!) vs \(both[key]!)")
        }
    }

    /// The regression as the notebook reports it: per run (here one per gold seed), in-sample RMSE averaged,
    /// R² = (mean Pearson r)², against a numpy/scipy replay (Tests/FixtureGenerator/gen_regression_runs.py).
    @Test func regressionPerRunMatchesTheNotebook() throws {
        struct Reference: Decodable { var rmse: Double; var r_squared: Double }
        let reference = try JSONDecoder().decode(Reference.self,
                                                 from: Data(contentsOf: Fixtures.url("analysis/regression_runs.json")))
        let golds = ["analysis/gold_synthetic.csv", "analysis/gold_synthetic_seed2.csv"].map { Fixtures.url($0).path }
        let result = try XSNSBinary.run(["eval", "--scores", Fixtures.url("analysis/scores_synthetic.csv").path,
                                         "--gold", golds.joined(separator: ","), "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let perRun = try #require(json?["regression_per_run"] as? [String: Any])
        #expect(perRun["runs"] as? Int == 2)
        #expect(abs((perRun["rmse"] as? Double ?? .nan) - reference.rmse) < 1e-12)
        #expect(abs((perRun["r_squared"] as? Double ?? .nan) - reference.r_squared) < 1e-12)
        print("per-run regression: RMSE \(perRun["rmse"]!), R² \(perRun["r_squared"]!) (numpy: \(reference.rmse), \(reference.r_squared))")
    }

    /// `--names`: a name-keyed distance matrix (as the LDND table) evaluated against code-keyed gold.
    @Test func namesAreMappedToCodes() throws {
        let folder = try Fixtures.temporaryDirectory()
        let scores = folder.appendingPathComponent("distances.csv"), names = folder.appendingPathComponent("langs.csv")
        try ",Finnish,Estonian,German,English\nFinnish,,20,90,95\nEstonian,20,,85,92\nGerman,90,85,,60\nEnglish,95,92,60,\n"
            .write(to: scores, atomically: false, encoding: .utf8)
        try ",language_id,language,script\n0,fi,Finnish,latin\n1,et,Estonian,latin\n2,de,German,latin\n3,en,English,latin\n"
            .write(to: names, atomically: false, encoding: .utf8)
        let gold = folder.appendingPathComponent("gold.csv")
        try "source,target,score\net,fi,80\nde,fi,60\nen,fi,55\nfi,et,82\nde,et,61\nen,et,58\n"
            .write(to: gold, atomically: false, encoding: .utf8)
        let unmapped = try XSNSBinary.run(["eval", "--scores", scores.path, "--gold", gold.path, "--lower-is-better"])
        #expect(unmapped.status == 2)
        let mapped = try XSNSBinary.run(["eval", "--scores", scores.path, "--names", names.path, "--gold", gold.path,
                                         "--lower-is-better", "--format", "json"])
        #expect(mapped.status == 0, "\(mapped.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(mapped.stdout.utf8)) as? [String: Any]
        let mean = try #require(json?["mean"] as? [String: Any])
        // The nearest language is the best source for both targets, and en is the worst: +25 and +24 points.
        #expect(mean["top1"] as? Double == 1 && mean["adv_over_en"] as? Double == 24.5)
    }

    /// The shared LDND distances, keyed by names, against the xpos gold, keyed by codes.
    @Test func sharedLDNDAgainstXposGold() throws {
        guard let shared = Fixtures.shared else { return }
        let gold = shared.appendingPathComponent("data/gold")
        let result = try XSNSBinary.run(["eval", "--scores", gold.appendingPathComponent("xpos-ldnd.csv").path,
                                         "--names", gold.appendingPathComponent("xpos-udpos-langs.csv").path,
                                         "--gold", gold.appendingPathComponent("xpos-udpos-xlmr-base.csv").path,
                                         "--lower-is-better", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let targets = (json?["targets"] as? [String: Any])?.count ?? 0
        print("LDND against xpos gold: \(targets) targets, mean \(json?["mean"] ?? "")")
        #expect(targets >= 80)
    }
}
