import ArgumentParser
import Foundation
import XSNSAnalysis
import XSNSEngine
import XSNSProbe
import XSNSTraining

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the Fisher forward/backward pass on a random-weight model of a real shape.",
        discussion: """
            --analysis times the analysis commands instead, each as its own process with its peak anonymous
            memory: a session of --languages × --seeds simulated Fisher files of the shape's θ (XLM-R base:
            85,054,464 values, 340 MB each) is written to --session with its mask indexes (reused when it
            exists), then index, matrix (p on and off the index grid), eval, sweep and export run on it, and
            the workbench's data builder (launch, then +). --sparse-fisher writes the Fisher files as holes
            (only the indexes are real; p off the grid is skipped) for sessions larger than the disk.
            --train times masked-LM training steps instead (--batch-size sequences of --seq-len tokens,
            dropout on, AdamW on --scope); Tests/FixtureGenerator/bench_train.sh runs it beside PyTorch.
            --probe times one transfer-probe run: fine-tuning steps on --batch-size blocks of --seq-len
            tokens (adapter off), then tagging --probe-sentences sentences of --sentence-length tokens;
            Tests/FixtureGenerator/bench_probe.sh runs it beside PyTorch.
            --compute runs the whole compute pipeline on --corpora with --model into a fresh session and
            splits the wall time by stage.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @Option(help: "Model shape: xlmr-base, mbert-base or tiny.")
    var shape: String = "xlmr-base"
    @Option(name: .customLong("seq-len"), help: "Tokens per sequence, special tokens included.")
    var sequenceLength = 128
    @Option(help: "Sequences to time.")
    var sequences = 4
    @Option(help: "Estimator: exact or xsns (default: exact for the engine alone, xsns with --compute, as compute).")
    var estimator: String?
    @Option(help: "Threads (default: every core this process may use; OMP_NUM_THREADS and cgroup limits honoured).")
    var threads: Int = ThreadBudget.available
    @Option(help: "Output format: table or json.")
    var format: Format = .table
    @Flag(help: "Time a new p's full Jaccard matrix instead of the forward/backward pass.")
    var analysis = false
    @Option(help: "Languages for --analysis.")
    var languages = 24
    @Option(help: "Seeds per language for --analysis.")
    var seeds = 3
    @Option(help: "Session folder for --analysis (default: a new temporary folder, removed afterwards).")
    var session: String?
    @Flag(help: "With --analysis: Fisher files as sparse files (holes), for sessions larger than the disk.")
    var sparseFisher = false
    @Option(help: .hidden) var workbenchChild: String?
    @Flag(help: "Time masked-LM training steps (forward, backward, AdamW) instead of the Fisher pass.")
    var train = false
    @Option(help: "Sequences per training step (--train).")
    var batchSize = 8
    @Option(help: "Timed training steps (--train), after one untimed step.")
    var steps = 3
    @Option(help: "Trained parameters (--train): all, encoder or theta.")
    var scope = "all"
    @Flag(help: "Time a transfer-probe run (masked-LM steps, then tagging) instead of the Fisher pass.")
    var probe = false
    @Option(help: "Sentences tagged (--probe).")
    var probeSentences = 1000
    @Option(help: "Tokens per tagged sentence (--probe).")
    var sentenceLength = 32
    @OptionGroup var computeOptions: BenchComputeOptions

    func run() throws {
        guard [train, probe, computeOptions.compute, analysis].filter({ $0 }).count <= 1 else {
            throw ValidationError("give at most one of --train, --probe, --compute and --analysis")
        }
        if let workbenchChild {
            print(try AnalysisScaleBench.workbenchChild(session: URL(fileURLWithPath: workbenchChild), sparse: sparseFisher))
            return
        }
        if analysis {
            try runAnalysis()
            return
        }
        guard let shapeValue = EncoderBenchmark.Shape(rawValue: shape) else {
            throw ValidationError("--shape must be one of \(EncoderBenchmark.Shape.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if train {
            try runTraining(shape: shapeValue)
            return
        }
        if probe {
            try runProbe(shape: shapeValue)
            return
        }
        if computeOptions.compute {
            try runCompute()
            return
        }
        let estimator = estimator ?? FisherEstimatorKind.exact.rawValue
        guard let kind = FisherEstimatorKind(rawValue: estimator) else {
            throw ValidationError("--estimator must be exact or xsns")
        }
        let benchmark = EncoderBenchmark(shape: shapeValue, sequenceLength: sequenceLength, sequences: sequences,
                                         estimator: kind, threads: threads)
        let result = try benchmark.run()
        report(format: format, [
            .text("shape", shape), .integer("seq_len", sequenceLength), .integer("sequences", sequences),
            .text("estimator", estimator), .integer("threads", threads),
        ] + Row.kernels + [
            .number("seconds_per_sequence", result.secondsPerSequence, 3),
            Row(key: "sequences/s", table: String(format: "%.2f", 1 / result.secondsPerSequence)),
            .number("gflops", result.gflops, 1), .number("sgemm_gflops", result.sgemmGflops, 1),
            .number("efficiency", result.efficiency, 2),
            Row(key: "peak_rss", table: Self.gibibytes(result.peakResidentBytes)),
            Row(key: "peak_rss_bytes", json: "\(result.peakResidentBytes)"),
        ])
    }

    private func runTraining(shape shapeValue: EncoderBenchmark.Shape) throws {
        guard let trainedScope = TrainingScope(rawValue: scope), trainedScope != .adapters else {
            throw ValidationError("--scope takes all, encoder or theta")
        }
        let result = try TrainingBenchmark(shape: shapeValue, sequenceLength: sequenceLength, batchSize: batchSize,
                                           steps: steps, scope: trainedScope, threads: threads).run()
        report(format: format, [
            .text("shape", shape), .integer("seq_len", sequenceLength), .integer("batch_size", batchSize),
            .integer("steps", steps), .text("scope", scope), .integer("threads", threads),
        ] + Row.kernels + [
            .integer("trained_parameters", result.trainedParameters),
            .number("seconds_per_step", result.secondsPerStep, 3),
            .number("optimizer_seconds_per_step", result.optimizerSecondsPerStep, 3),
            Row(key: "peak_rss", table: Self.gibibytes(result.peakResidentBytes)),
            Row(key: "peak_rss_bytes", json: "\(result.peakResidentBytes)"),
        ])
    }

    private func runProbe(shape shapeValue: EncoderBenchmark.Shape) throws {
        var benchmark = ProbeBenchmark(shape: shapeValue, threads: threads)
        benchmark.blockLength = sequenceLength
        benchmark.batchSize = batchSize
        benchmark.steps = steps
        benchmark.sentences = probeSentences
        benchmark.sentenceLength = sentenceLength
        let result = try benchmark.run()
        report(format: format, [
            .text("shape", shape), .integer("seq_len", sequenceLength), .integer("batch_size", batchSize),
            .integer("steps", steps), .integer("sentences", probeSentences), .integer("sentence_length", sentenceLength),
            .integer("threads", threads),
        ] + Row.kernels + [
            .number("seconds_per_step", result.secondsPerStep, 3),
            .number("evaluation_seconds", result.evaluationSeconds, 2),
            .number("run_seconds_100_steps", result.runSeconds(steps: 100), 1),
            Row(key: "peak_rss", table: Self.gibibytes(result.peakResidentBytes)),
            Row(key: "peak_rss_bytes", json: "\(result.peakResidentBytes)"),
        ])
    }

    /// One measured figure: `table` is its text in the table (nil: JSON only), `json` its JSON value (nil:
    /// table only).
    struct Row {
        var key: String
        var table: String?
        var json: String?
        static func number(_ key: String, _ value: Double, _ digits: Int) -> Row {
            Row(key: key, table: String(format: "%.\(digits)f", value), json: "\(value)")
        }
        static func integer(_ key: String, _ value: Int) -> Row { Row(key: key, table: "\(value)", json: "\(value)") }
        static func text(_ key: String, _ value: String) -> Row { Row(key: key, table: value, json: "\"\(value)\"") }

        /// Which SIMD kernels did the work: OpenBLAS's family and where erf and exp ran.
        static var kernels: [Row] { [text("blas_kernels", openBLASKernels), text("math_kernels", MathKernels.name)] }
    }

    func report(format: Format, _ rows: [Row]) {
        switch format {
        case .json:
            print("{" + rows.compactMap { row in row.json.map { "\"\(row.key)\":\($0)" } }.joined(separator: ",") + "}")
        case .table:
            for row in rows {
                guard let text = row.table else { continue }
                print(row.key.replacingOccurrences(of: "_", with: " ").padding(toLength: 28, withPad: " ", startingAt: 0)
                            + text)
            }
        }
    }

    private static func gibibytes(_ bytes: Int) -> String { String(format: "%.2f GiB", Double(bytes) / 1_073_741_824) }
}
