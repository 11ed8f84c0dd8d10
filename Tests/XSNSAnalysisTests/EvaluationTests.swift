import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport

@testable import XSNSAnalysis

/// Evaluation against scikit-learn `ndcg_score` and SciPy `pearsonr`/`spearmanr` (gen_analysis.py).
struct EvaluationTests {
    struct Metrics: Decodable { let ndcg: Double?; let top1: Double?; let pearson: Double?; let spearman: Double?; let n: Int? }
    struct Run: Decodable {
        let k: Int
        let lower_is_better: Bool
        let order: [String]
        let mean: Metrics
        let targets: [String: Metrics]
    }
    struct Regression: Decodable { let pairs: Int; let slope: Double; let intercept: Double; let rmse: Double; let r_squared: Double }
    struct Synthetic: Decodable { let runs: [String: Run]; let ols: Regression }
    struct GoldFile: Decodable {
        let pairs: Int
        let runs: [String: Run]
        let ols_hash: Regression
        let ols_coarse: Regression
    }

    static func check(_ evaluation: TransferEvaluation, against run: Run, _ label: String) {
        #expect(evaluation.k == run.k)
        #expect(evaluation.targets.map(\.target) == run.order, "\(label): targets")
        for result in evaluation.targets {
            guard let reference = run.targets[result.target] else { continue }
            #expect(result.candidates == reference.n, "\(label) \(result.target): n")
            #expect(close(result.ndcg, reference.ndcg), "\(label) \(result.target): ndcg \(result.ndcg) vs \(reference.ndcg ?? .nan)")
            #expect(close(result.top1, reference.top1), "\(label) \(result.target): top1")
            #expect(close(result.pearson, reference.pearson), "\(label) \(result.target): pearson")
            #expect(close(result.spearman, reference.spearman), "\(label) \(result.target): spearman")
        }
        #expect(close(evaluation.mean.ndcg, run.mean.ndcg), "\(label): mean ndcg")
        #expect(close(evaluation.mean.top1, run.mean.top1), "\(label): mean top1")
        #expect(close(evaluation.mean.pearson, run.mean.pearson), "\(label): mean pearson")
        #expect(close(evaluation.mean.spearman, run.mean.spearman), "\(label): mean spearman")
    }

    static func check(_ regression: TransferRegression?, against reference: Regression, _ label: String) {
        guard let regression else { Issue.record("\(label): no regression"); return }
        #expect(regression.pairs == reference.pairs, "\(label)")
        #expect(close(regression.slope, reference.slope), "\(label): slope")
        #expect(close(regression.intercept, reference.intercept), "\(label): intercept")
        #expect(close(regression.rmse, reference.rmse), "\(label): rmse")
        #expect(close(regression.rSquared, reference.r_squared), "\(label): r²")
    }

    @Test func syntheticFilesMatchScikitLearn() throws {
        let reference: Synthetic = try AnalysisFixtures.json("eval_synthetic.json")
        let gold = try TransferTable.load(Fixtures.url("analysis/gold_synthetic.csv"))
        let scores = try TransferTable.load(Fixtures.url("analysis/scores_synthetic.csv"))
        #expect(gold.value(source: "en", target: "fi") == 0.55)  // quoted field
        #expect(gold.value(source: "ru", target: "fi") == nil)  // empty score: missing measurement
        #expect(scores.value(source: "de", target: "et") == 0.15)  // row after a multi-line quoted field
        for (name, run) in reference.runs {
            let evaluation = try TransferEvaluation(predictions: scores, gold: gold, k: run.k, lowerIsBetter: run.lower_is_better)
            Self.check(evaluation, against: run, name)
        }
        Self.check(TransferRegression(predictions: scores, gold: gold), against: reference.ols, "ols")
    }

    @Test(arguments: ["langrank-pos.csv", "langrank-dep.csv", "langrank-el.csv", "langrank-mt.csv", "xpos-udpos-xlmr-base.csv"])
    func realGoldFilesMatchScikitLearn(file: String) throws {
        guard let shared = Fixtures.shared else {
            print("skipped: ../shared is absent")
            return
        }
        let references: [String: GoldFile] = try AnalysisFixtures.json("eval_gold.json")
        let reference = try #require(references[file])
        let gold = try TransferTable.load(shared.appendingPathComponent("data/gold/\(file)"))
        #expect(gold.pairs.count == reference.pairs)
        for kind in ["hash", "coarse"] {
            var predictions = TransferTable()
            for pair in gold.pairs {
                predictions.insert(source: pair.source, target: pair.target, value: HashPredictor.score(kind, pair.source, pair.target))
            }
            for suffix in ["", "-lower", "-k5"] {
                let run = try #require(reference.runs[kind + suffix])
                let evaluation = try TransferEvaluation(predictions: predictions, gold: gold, k: run.k, lowerIsBetter: run.lower_is_better)
                Self.check(evaluation, against: run, "\(file) \(kind)\(suffix)")
            }
            Self.check(TransferRegression(predictions: predictions, gold: gold),
                       against: kind == "hash" ? reference.ols_hash : reference.ols_coarse, "\(file) ols \(kind)")
        }
    }

    @Test func ldndMatrixLoadsAsSquareMatrix() throws {
        guard let shared = Fixtures.shared else {
            print("skipped: ../shared is absent")
            return
        }
        let table = try TransferTable.load(shared.appendingPathComponent("data/gold/xpos-ldnd.csv"))
        #expect(table.targets.count == 90)
        #expect(table.value(source: "Assyrian", target: "Akkadian") == 52.34)
        #expect(table.value(source: "Akkadian", target: "Akkadian") == nil)
    }

    /// Rectangular gold: targets that are not sources (low-resource NER targets), in matrix and long form
    /// alike; the evaluation ranks each target's sources from the session's matrix.
    @Test func rectangularGoldInMatrixAndLongForm() throws {
        let matrix = try TransferTable.parse(csv: "source,fi,ja,yo\nen,61.5,40.0,22.5\nde,58.0,,20.0\nja,35.0,,18.5\n", file: "m.csv")
        let long = try TransferTable.parse(csv: "source,target,score\nen,fi,61.5\nen,ja,40.0\nen,yo,22.5\nde,fi,58.0\n"
                                           + "de,yo,20.0\nja,fi,35.0\nja,yo,18.5\n", file: "l.csv")
        #expect(matrix.pairs.map { "\($0.source)>\($0.target)=\($0.value)" } == long.pairs.map { "\($0.source)>\($0.target)=\($0.value)" })
        #expect(matrix.value(source: "ja", target: "ja") == nil && matrix.value(source: "de", target: "ja") == nil)
        #expect(Set(matrix.targets) == ["fi", "ja", "yo"])
        // yo is a target only: predictions for it come from a session that computed yo too.
        let languages = ["de", "en", "fi", "ja", "yo"]
        var predictions = SimilarityMatrix(languages: languages)
        for (i, a) in languages.enumerated() {
            for (j, b) in languages.enumerated() where i != j { predictions.values[i][j] = 1 - Double(abs(i - j)) / 10 + (a < b ? 0.01 : 0) }
        }
        let evaluation = try TransferEvaluation(predictions: TransferTable(matrix: predictions), gold: matrix, k: 3)
        #expect(Set(evaluation.targets.map(\.target)) == ["fi", "yo"], "ja has one source only: no ranking to judge")

        // A long table with numeric codes and a column name the reader does not know is not taken for a matrix.
        #expect(throws: InputError.self) { try TransferTable.parse(csv: "source,target,f1\n1,2,0.5\n3,4,0.6\n", file: "x.csv") }
        // A seed column averages each pair over the seeds that measured it.
        let folder = try Fixtures.temporaryDirectory()
        let seeded = folder.appendingPathComponent("s.csv")
        try "source,target,score,seed\nen,fi,1.0,1\nde,fi,2.0,1\nen,fi,3.0,2\n".write(to: seeded, atomically: false, encoding: .utf8)
        let mean = try TransferTable.load(seeded)
        #expect(mean.value(source: "en", target: "fi") == 2.0 && mean.value(source: "de", target: "fi") == 2.0)
        #expect(try TransferTable.loadPerSeed(seeded).count == 2)
        try "source,target,score,seed\nen,fi,1.0,\n".write(to: seeded, atomically: false, encoding: .utf8)
        #expect { _ = try TransferTable.load(seeded) } throws: { "\($0)".contains("empty seed") }
    }

    @Test func averagingOverSeedsAveragesPerTargetAndMeans() throws {
        let gold = try TransferTable.load(Fixtures.url("analysis/gold_synthetic.csv"))
        let scores = try TransferTable.load(Fixtures.url("analysis/scores_synthetic.csv"))
        let a = try TransferEvaluation(predictions: scores, gold: gold, k: 3)
        let b = try TransferEvaluation(predictions: scores, gold: gold, k: 3, lowerIsBetter: true)
        let mean = try #require(TransferEvaluation.averaged([a, b]))
        #expect(close(mean.mean.ndcg, (a.mean.ndcg + b.mean.ndcg) / 2))
        #expect(close(mean.targets[0].spearman, 0))  // fi: +1 and −1
        #expect(mean.targets.last?.pearson == nil)  // hu: constant gold in both runs
    }
}

/// Bad gold/score files: one InputError naming the file and, where there is one, the line.
struct TransferTableErrorTests {
    static func message(_ csv: String, columns: TransferColumns = TransferColumns()) -> String? {
        do {
            _ = try TransferTable.parse(csv: csv, file: "g.csv", columns: columns)
            return nil
        } catch let error as InputError {
            return error.description
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test(arguments: [
        ("source,target,score\nen,fi,0.5\nde,fi,high\n", "g.csv: line 3: score 'high' is not a number"),
        ("source,target,score\nen,fi,0.5\nen,fi,0.6\n", "g.csv: line 3: pair en → fi repeats the one on line 2"),
        ("src,target,score\nen,fi,0.5\n", "g.csv: no source (source|lang_train|transfer_lang) column, and not a matrix (distinct target labels in the header, distinct source labels down the first column); name them with --columns"),
        ("source,target,score\nen,fi\n", "g.csv: line 2: 2 fields where the header has 3"),
        ("source,target,score\nen,\"fi,0.5\n", "g.csv: line 2: unterminated quoted field"),
        ("source,target,score\n", "g.csv: no scores in the file"),
        ("", "g.csv: empty file: no header"),
    ])
    func badFilesGiveOneLine(csv: String, expected: String) {
        #expect(Self.message(csv) == expected)
    }

    @Test func columnsCanBeNamed() throws {
        let csv = "from,to,acc\nen,fi,0.5\nde,fi,0.25\n"
        let table = try TransferTable.parse(csv: csv, file: "g.csv", columns: TransferColumns(parsing: "s=from,t=to,v=acc"))
        #expect(table.value(source: "de", target: "fi") == 0.25)
        #expect(Self.message(csv, columns: TransferColumns(source: "nope")) == "g.csv: no column named 'nope' for the source")
        #expect(throws: InputError.self) { try TransferColumns(parsing: "x=1") }
    }

    @Test func byteOrderMarkIsNotPartOfTheHeader() throws {
        let table = try TransferTable.parse(csv: "\u{FEFF}source,target,score\r\nen,fi,0.5\r\nde,fi,0.25\r\n", file: "b.csv")
        #expect(table.value(source: "de", target: "fi") == 0.25)
    }

    @Test func headerMatchingIsCaseInsensitive() throws {
        let table = try TransferTable.parse(csv: "target_lang,task_lang,transfer_lang,BLEU\neng,fi,et,0.3\n", file: "m.csv")
        #expect(table.value(source: "et", target: "fi") == 0.3)
    }
}
