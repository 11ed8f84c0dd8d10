import ArgumentParser
import Foundation
import XSNSAnalysis

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a self-contained folder of matrices, rankings, per-layer tables, figures and LaTeX tables.")

    @Option(help: "Session folder under Sessions/, or a path containing '/'.") var session: String
    @Option(help: "The folder to create (an earlier export there is replaced once the new one is complete).") var out: String
    @Option(help: "Fraction of θ in each sub-network, in (0, 1).") var p: Double = 0.15
    @Option(help: "Measured transfer scores to evaluate against (optional).") var gold: String?
    @Option(help: "Cut-off of NDCG.") var k: Int = 3
    @Option(help: "Share of all heads in each language's head mask, in (0, 1].") var headFraction: Double = 0.25

    func run() throws {
        let analysis = try openSession(session)
        let goldTable = try gold.map { path in
            (name: URL(fileURLWithPath: path).lastPathComponent, table: try TransferTable.load(URL(fileURLWithPath: path)))
        }
        let export = try SessionExport(catalog: analysis.catalog, p: p, gold: goldTable, k: k, headFraction: headFraction)
        let destination = URL(fileURLWithPath: out)
        try export.write(to: destination)
        print("wrote \(export.files.count) files to \(destination.path)")
    }
}
