import ArgumentParser
import Foundation
import XSNSAnalysis

struct InfluenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "influence",
        abstract: "Cross-language gradient influence from sentence sketches (compute --sketch D; Choenni et al.).",
        discussion: """
            influence+ (influence-): for each sentence of the target (row), the share of its --m most \
            positively (negatively) influential sentences — highest (lowest) cosine of gradient sketches — \
            that come from the source (column); mean over the target's sentences, then over seeds. Then, per \
            layer, how the pair's Jaccard in that layer at --p correlates with influence+ across pairs.
            """)

    @Option(help: "Session folder under Sessions/, or a path containing '/'.") var session: String
    @Option(help: "Most influential sentences counted per target sentence.") var m = 100
    @Option(help: "Fraction of θ in each sub-network, for the per-layer Jaccard.") var p: Double = 0.15
    @Option(help: "table | csv") var format: OutputFormat = .table

    func run() throws {
        guard format != .json else { throw ValidationError("--format must be table or csv") }
        let analysis = try openSession(session)
        let (mean, _) = try Influence.matrices(catalog: analysis.catalog, m: m)
        for (name, matrix) in [("influence+", mean.positive), ("influence-", mean.negative)] {
            if format == .table { print("\(name) of each source (column) on each target (row), top \(m)") }
            print(AnalysisReports.matrix(matrix, metric: name, p: nil, format: format), terminator: format == .table ? "\n" : "")
        }
        let layers = try analysis.influenceByLayer(p: p, influence: mean.positive)
        guard !layers.isEmpty else { return }
        func text(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "n/a" }
        let rows = [["layer", "pearson", "spearman", "pairs"]]
            + layers.map { ["\($0.layer)", text($0.pearson), text($0.spearman), "\($0.pairs)"] }
        if format == .table { print("per-layer Jaccard (p = \(p)) against influence+") }
        print(format == .csv ? TextTable.csv(rows) : TextTable.render(rows), terminator: "")
    }
}
