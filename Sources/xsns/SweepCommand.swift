import ArgumentParser
import Foundation
import XSNSAnalysis
import XSNSStorage

/// How results move with p, from the same Fisher files: a pair's similarity, or the evaluation
/// metrics against gold, at each p (0.01 … 0.5 in steps of 0.01, then 0.6 … 0.9).
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "A pair's similarity (--pair) or the evaluation metrics (--gold) as a function of p.")

    @Option(help: "Session folder under Sessions/, or a path containing '/'.") var session: String
    @Option(help: "Two languages, A,B: their similarity at each p.") var pair: String?
    @Option(help: "A CSV of measured transfer scores: NDCG@k, Top-1, Pearson, Spearman at each p.") var gold: String?
    @Option(help: "jaccard | cosine") var metric: SimilarityChoice = .jaccard
    @Option(help: "Cut-off of NDCG.") var k: Int = 3
    @Option(help: "Column names, as s=SOURCE,t=TARGET,v=SCORE, for the gold file.") var columns: String?
    @Option(help: "table | csv | json") var format: OutputFormat = .table

    func validate() throws {
        guard (pair == nil) != (gold == nil) else { throw ValidationError("give exactly one of --pair A,B or --gold FILE") }
        guard metric.maskMetric != nil else { throw ValidationError("--metric must be jaccard or cosine (baselines, pruned heads and influence do not depend on p)") }
    }

    func run() throws {
        guard let maskMetric = metric.maskMetric else { return }
        let catalog = try openSession(session).catalog
        if let pair {
            let (a, b) = try parsePair(pair)
            let languages = [a, b]
            for language in languages { try catalog.require(language) }
            let rows = try PSweep.pair(
                languages[0], languages[1], in: catalog.collection(languages: languages), metric: maskMetric)
            print(render(header: ["p", metric.rawValue], rows: rows.map { [$0.p, $0.similarity] }), terminator: "")
        } else if let gold {
            let names = try columns.map(TransferColumns.init(parsing:)) ?? TransferColumns()
            let table = try TransferTable.load(URL(fileURLWithPath: gold), columns: names)
            let rows = try PSweep.evaluation(in: catalog.collection(), gold: table, metric: maskMetric, k: k)
            print(render(header: ["p", "ndcg@\(k)", "top1", "pearson", "spearman"], rows: rows.map {
                [$0.p, $0.evaluation.mean.ndcg, $0.evaluation.mean.top1, $0.evaluation.mean.pearson, $0.evaluation.mean.spearman]
            }), terminator: "")
        }
    }

    private func render(header: [String], rows: [[Double?]]) -> String {
        switch format {
        case .json:
            let objects = rows.map { row in
                JSONValue.object(zip(header, row).map { ($0, JSONValue.optional($1)) })
            }
            return JSONValue.object([("metric", .string(metric.rawValue)), ("sweep", .array(objects))]).rendered + "\n"
        case .csv:
            return ([header.joined(separator: ",")] + rows.map { row in
                row.map { $0.map { "\($0)" } ?? "" }.joined(separator: ",")
            }).joined(separator: "\n") + "\n"
        case .table:
            let head = header.map { $0.padding(toLength: 10, withPad: " ", startingAt: 0) }.joined()
            return ([head] + rows.map { row in
                row.enumerated().map { index, value in
                    let text = value.map { String(format: index == 0 ? "%.2f" : "%.4f", $0) } ?? "—"
                    return text.padding(toLength: 10, withPad: " ", startingAt: 0)
                }.joined()
            }).joined(separator: "\n") + "\n"
        }
    }
}
