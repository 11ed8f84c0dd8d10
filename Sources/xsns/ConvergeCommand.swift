import ArgumentParser
import Foundation
import XSNSAnalysis
import XSNSStorage

struct ConvergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "converge",
        abstract: "How sub-networks and rankings settle with more sentences (needs compute --convergence).",
        discussion: """
            For each sentence count the session kept (8, 16, 32, … up to 512), the Jaccard of every run's \
            mask with its final mask, mean over runs; with --gold, NDCG@k and Spearman of the rankings at \
            that count. The last row is the finished runs.
            """)

    @Option(help: "Session folder under Sessions/, or a path containing '/'.") var session: String
    @Option(help: "Fraction of θ in each sub-network, in (0, 1).") var p: Double = 0.15
    @Option(help: "Measured transfer scores to evaluate the rankings at each count against (optional).") var gold: String?
    @Option(help: "Cut-off of NDCG.") var k: Int = 3
    @Option(help: "table | csv | json") var format: OutputFormat = .table

    func run() throws {
        let analysis = try openSession(session)
        let goldTable = try gold.map { try TransferTable.load(URL(fileURLWithPath: $0)) }
        let convergence = try Convergence(session: analysis.catalog.session, p: p, gold: goldTable, k: k)
        print(convergence.report(format: format), terminator: "")
    }
}
