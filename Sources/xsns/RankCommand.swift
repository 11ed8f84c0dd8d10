import ArgumentParser
import XSNSAnalysis
import XSNSStorage

struct RankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rank",
        abstract: "Source languages for a target, most similar first.")

    @Option(help: "Session folder under Sessions/, or a path containing '/'.") var session: String
    @Option(help: "The target language.") var target: String
    @Option(help: "Fraction of θ in each sub-network, in (0, 1).") var p: Double = 0.15
    @Option(help: "jaccard | cosine | lex | emb | heads-jaccard | heads-cosine | influence+ | influence-") var metric: SimilarityChoice = .jaccard
    @Option(help: "table | csv | json") var format: OutputFormat = .table

    func run() throws {
        let analysis = try openSession(session)
        try analysis.catalog.require(target)
        let (matrix, _) = try analysis.matrices(metric, p: p)
        guard matrix.languages.contains(target) else {
            throw InputError("the \(metric.rawValue) baseline has no value for '\(target)'")
        }
        let ranking = Ranking(target: target, matrix: matrix)
        print(AnalysisReports.rank(ranking, metric: metric.rawValue, p: metric.maskMetric == nil ? nil : p, format: format),
              terminator: "")
    }
}
