import ArgumentParser
import Foundation
import XSNSAnalysis
import XSNSEngine

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the Fisher forward/backward pass on a random-weight model of a real shape.",
        discussion: """
            --analysis times the analysis instead: random Fisher vectors of the shape's θ size for
            --languages languages in memory, then the full Jaccard matrix at a new p.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @Option(help: "Model shape: xlmr-base, mbert-base or tiny.")
    var shape: String = "xlmr-base"
    @Option(name: .customLong("seq-len"), help: "Tokens per sequence, special tokens included.")
    var sequenceLength = 128
    @Option(help: "Sequences to time.")
    var sequences = 4
    @Option(help: "Estimator: exact or xsns.")
    var estimator: String = "exact"
    @Option(help: "Threads (default: every core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Output format: table or json.")
    var format: Format = .table
    @Flag(help: "Time a new p's full Jaccard matrix instead of the forward/backward pass.")
    var analysis = false
    @Option(help: "Languages for --analysis.")
    var languages = 20

    func run() throws {
        if analysis {
            let parameters = shape == "xlmr-base" || shape == "mbert-base"
                ? AnalysisBenchmark.xlmrBaseParameters : 1_000_000
            let result = try AnalysisBenchmark.run(languages: languages, parameters: parameters)
            print(format == .json ? result.json : result.text)
            return
        }
        guard let shapeValue = EncoderBenchmark.Shape(rawValue: shape) else {
            throw ValidationError("--shape must be one of \(EncoderBenchmark.Shape.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let kind = FisherEstimatorKind(rawValue: estimator) else {
            throw ValidationError("--estimator must be exact or xsns")
        }
        let benchmark = EncoderBenchmark(shape: shapeValue, sequenceLength: sequenceLength, sequences: sequences,
                                         estimator: kind, threads: threads)
        let result = try benchmark.run()
        switch format {
        case .json:
            let fields: [(String, String)] = [
                ("shape", "\"\(shape)\""), ("seq_len", "\(sequenceLength)"), ("sequences", "\(sequences)"),
                ("estimator", "\"\(estimator)\""), ("threads", "\(threads)"),
                ("seconds_per_sequence", "\(result.secondsPerSequence)"), ("gflops", "\(result.gflops)"),
                ("sgemm_gflops", "\(result.sgemmGflops)"), ("efficiency", "\(result.efficiency)"),
                ("peak_rss_bytes", "\(result.peakResidentBytes)"),
            ]
            print("{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}")
        case .table:
            let rows: [(String, String)] = [
                ("shape", shape), ("seq_len", "\(sequenceLength)"), ("sequences", "\(sequences)"),
                ("estimator", estimator), ("threads", "\(threads)"),
                ("seconds/sequence", String(format: "%.3f", result.secondsPerSequence)),
                ("sequences/s", String(format: "%.2f", 1 / result.secondsPerSequence)),
                ("GFLOP/s", String(format: "%.1f", result.gflops)),
                ("sgemm GFLOP/s", String(format: "%.1f", result.sgemmGflops)),
                ("efficiency", String(format: "%.2f", result.efficiency)),
                ("peak RSS", String(format: "%.2f GiB", Double(result.peakResidentBytes) / 1_073_741_824)),
            ]
            for (key, value) in rows { print(key.padding(toLength: 18, withPad: " ", startingAt: 0) + value) }
        }
    }
}
