import ArgumentParser
import Foundation
import XSNSAnalysis

extension SimilarityChoice: ExpressibleByArgument {}
extension OutputFormat: ExpressibleByArgument {}

/// `--session NAME` as the analysis commands read it: `Sessions/NAME`, or a path containing `/`.
func openSession(_ name: String) throws -> SessionAnalysis {
    try SessionAnalysis(session: name, in: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
}

struct MatrixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix",
        abstract: "Similarity of every pair of languages (mean over seeds).")

    @Option(help: "Session folder under Sessions/, or a path containing '/'.") var session: String?
    @Option(help: "Fraction of θ in each sub-network, in (0, 1).") var p: Double = 0.15
    @Option(help: "jaccard | cosine (of sub-networks) | lex | emb (stored baselines) | heads-jaccard | heads-cosine (pruned heads) | influence+ | influence- (sketches).") var metric: SimilarityChoice = .jaccard
    @Option(help: "table | csv | json") var format: OutputFormat = .table
    @Flag(help: "Use the mask of each language's seed-averaged Fisher instead of averaging similarities over seeds.")
    var seedAveraged = false

    func validate() throws {
        if session == nil { throw ValidationError("missing --session NAME") }
    }

    func run() throws {
        let (matrix, _) = try openSession(session ?? "").matrices(metric, p: p, seedAveraged: seedAveraged)
        print(AnalysisReports.matrix(matrix, metric: metric.rawValue, p: metric.maskMetric == nil ? nil : p, format: format),
              terminator: "")
    }
}
