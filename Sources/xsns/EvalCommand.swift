import ArgumentParser
import Foundation
import XSNSAnalysis
import XSNSSession
import XSNSStorage

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score a predictor against measured transfer: NDCG@k, Top-1, Pearson, Spearman per target and their means.")

    @Option(help: "Session folder whose similarities are the predictions.") var session: String?
    @Option(help: "A CSV of predicted scores (source, target, score) instead of a session.") var scores: String?
    @Option(help: "A CSV of measured transfer scores (several, comma-separated, or one with a seed column: one per fine-tuning seed, each evaluated with every Fisher seed and averaged), or probe / probe:N<steps> for the session's own probe.") var gold: String
    @Option(help: "Fraction of θ in each sub-network, in (0, 1) (with --session).") var p: Double = 0.15
    @Option(help: "jaccard | cosine | lex | emb | heads-jaccard | heads-cosine | influence+ | influence- (with --session).") var metric: SimilarityChoice = .jaccard
    @Option(help: "Cut-off of NDCG.") var k: Int = 3
    @Flag(help: "The predictions are distances: negate them before every metric.") var lowerIsBetter = false
    @Option(help: "Column names, as s=SOURCE,t=TARGET,v=SCORE, for both files.") var columns: String?
    @Option(help: "A CSV mapping language names to codes (columns language_id/code and language/name): labels of the scores and gold files that are names are replaced by codes.") var names: String?
    @Option(help: "table | csv | json") var format: OutputFormat = .table

    func validate() throws {
        guard (session == nil) != (scores == nil) else {
            throw ValidationError("give exactly one of --session and --scores")
        }
    }

    func run() throws {
        guard k >= 1 else { throw InputError("--k must be at least 1 (got \(k))") }
        let columnNames = try columns.map(TransferColumns.init(parsing:)) ?? TransferColumns()
        let codes = try names.map { try TransferTable.languageCodes(URL(fileURLWithPath: $0)) } ?? [:]
        func load(_ url: URL) throws -> TransferTable { try TransferTable.load(url, columns: columnNames).renamed(codes) }
        if session == nil, gold == "probe" || gold.hasPrefix("probe:") {
            throw InputError("--gold \(gold) is a session's own probe: it needs --session")
        }
        // Several comma-separated gold files, or a file with a `seed` column: one table per fine-tuning seed,
        // each paired with every Fisher seed.
        let goldTables = try gold.split(separator: ",").map(String.init).flatMap { reference in
            let probeTable = try session.flatMap {
                try ProbePaths(session: SessionStore.folder(forName: $0)).goldTable(reference: reference)
            }
            return try TransferTable.loadPerSeed(probeTable ?? URL(fileURLWithPath: reference), columns: columnNames)
                .map { try $0.renamed(codes) }
        }
        guard let firstGold = goldTables.first else { throw InputError("--gold names no file") }
        let evaluation: TransferEvaluation
        let regression: TransferRegression?
        let perRun: TransferRegression.PerRun?
        if let session {
            (evaluation, regression, perRun) = try openSession(session).evaluate(
                metric, p: p, golds: goldTables, k: k, lowerIsBetter: lowerIsBetter)
        } else {
            let predictions = try load(URL(fileURLWithPath: scores ?? ""))
            evaluation = TransferEvaluation.averaged(try goldTables.map {
                try TransferEvaluation(predictions: predictions, gold: $0, k: k, lowerIsBetter: lowerIsBetter)
            })!
            regression = TransferRegression(predictions: predictions, gold: firstGold)
            perRun = TransferRegression.perRun(goldTables.map { (predictions, $0) })
        }
        print(AnalysisReports.evaluation(evaluation, regression: regression, perRun: perRun, format: format), terminator: "")
    }
}
