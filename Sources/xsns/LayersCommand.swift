import ArgumentParser
import XSNSAnalysis
import XSNSStorage

struct LayersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layers",
        abstract: "Where two sub-networks overlap: Jaccard per layer and per component, and each language's share per layer.")

    @Option(help: "Session folder under Sessions/, or a path containing '/'.") var session: String
    @Option(help: "Two languages, A,B.") var pair: String
    @Option(help: "Fraction of θ in each sub-network, in (0, 1).") var p: Double = 0.15
    @Option(help: "table | csv | json") var format: OutputFormat = .table

    func run() throws {
        let (a, b) = try parsePair(pair)
        let languages = [a, b]
        let analysis = try openSession(session)
        for language in languages { try analysis.catalog.require(language) }
        let (view, shares) = try analysis.layers(languages[0], languages[1], p: p)
        print(AnalysisReports.layers(view, pair: (languages[0], languages[1]), shares: shares, p: p, format: format),
              terminator: "")
    }
}
