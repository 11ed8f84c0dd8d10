import ArgumentParser
import Foundation
import XSNSAnalysis
import XSNSProbe
import XSNSSession

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a self-contained folder of matrices, rankings, per-layer tables, figures and LaTeX tables.")

    @Option(help: "Session folder under Sessions/, or a path containing '/'.") var session: String
    @Option(help: "The folder to create (an earlier export there is replaced once the new one is complete).") var out: String
    @Option(help: "Fraction of θ in each sub-network, in (0, 1).") var p: Double = 0.15
    @Option(help: "Measured transfer scores to evaluate against (optional): a CSV, or probe / probe:N<steps>.") var gold: String?
    @Option(help: "Cut-off of NDCG.") var k: Int = 3
    @Option(help: "Share of all heads in each language's head mask, in (0, 1].") var headFraction: Double = 0.25

    func run() throws {
        let analysis = try openSession(session)
        let paths = ProbePaths(session: analysis.catalog.session)
        let goldTable = try gold.map { reference in
            let url = try paths.goldTable(reference: reference) ?? URL(fileURLWithPath: reference)
            return (name: url.lastPathComponent, table: try TransferTable.load(url))
        }
        let export = try SessionExport(catalog: analysis.catalog, p: p, gold: goldTable, k: k, headFraction: headFraction,
                                       probe: try ProbeResults.load(paths).map(Self.probe))
        let destination = URL(fileURLWithPath: out)
        try export.write(to: destination)
        print("wrote \(export.files.count) files to \(destination.path)")
    }

    static func probe(_ results: ProbeResults) -> SessionExport.Probe {
        let options = results.options
        return SessionExport.Probe(
            tables: options.steps.map { steps in
                SessionExport.Probe.Table(
                    steps: steps, transfer: options.transfer, targets: options.targets,
                    delta: results.deltaGrid(steps: steps),
                    csv: results.table(steps: steps))
            },
            original: results.original)
    }
}
