import ArgumentParser
import Foundation
import XSNSCompute
import XSNSEngine
import XSNSSession
import XSNSStorage

/// `xsns bench --compute`: the real `compute` path, all in (loading and hashing the model, tokenizing,
/// Fisher, the EMB pass, stability, checkpoints, writes), on a folder of sentences into a fresh session,
/// with the wall time split by stage.
struct BenchComputeOptions: ParsableArguments {
    @Flag(help: "Time the whole compute pipeline on --corpora with --model instead of the engine alone.")
    var compute = false
    @Option(help: "Model for --compute: a local folder or a Hugging Face hub id.")
    var model: String?
    @Option(help: "Corpora folder for --compute.")
    var corpora: String?
    @Option(help: "Comma-separated languages for --compute (default: every <lang>.txt).")
    var langs: String?
    @Option(help: "Sentences per language and seed for --compute.")
    var computeSentences = 128
    @Option(help: "Comma-separated seeds for --compute (--seeds is --analysis's seeds per language).")
    var computeSeeds = "1"
    @Option(help: "Keep the session here (with --record-inputs, for replaying in PyTorch) instead of a temporary one.")
    var keepSession: String?
    @Flag(help: "Record the inputs (--compute with --keep-session).")
    var recordInputs = false
    @Flag(name: .customLong("no-emb"), help: "Skip the EMB baseline pass (--compute).")
    var noEmbedding = false
    @Option(help: "Also sketch every sentence's gradient in D dimensions (--compute), as compute --sketch.")
    var sketch: Int?
}

extension BenchCommand {
    func runCompute() throws {
        guard let model = computeOptions.model, let corpora = computeOptions.corpora else {
            throw InputError("--compute needs --model and --corpora")
        }
        let session = computeOptions.keepSession.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("xsns-bench-\(UUID().uuidString)")
        defer { if computeOptions.keepSession == nil { try? FileManager.default.removeItem(at: session) } }
        var options = ComputeOptions.defaults
        options.sentences = computeOptions.computeSentences
        options.seeds = try parseSeeds(computeOptions.computeSeeds)
        options.estimator = estimator ?? ComputeOptions.defaults.estimator
        options.threads = threads
        options.recordInputs = computeOptions.recordInputs
        if computeOptions.noEmbedding { options.embBaseline = false }
        options.sketch = computeOptions.sketch
        let job = ComputeJob(ComputeRequest(session: session, modelSpec: model, corpora: URL(fileURLWithPath: corpora),
                                            languages: parseList(computeOptions.langs), options: options))
        let start = DispatchTime.now().uptimeNanoseconds, startCPU = EncoderBenchmark.processCPUSeconds()
        let summary = try job.run()
        let cpuSeconds = EncoderBenchmark.processCPUSeconds() - startCPU
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let manifest = try SessionStore(folder: session).load()
        let done = manifest.runs.filter { run in summary.runs.contains { $0.language == run.language && $0.seed == run.seed } }
        let sentences = done.reduce(0) { $0 + $1.sentences }, tokens = done.reduce(0) { $0 + $1.tokens }
        let stages = job.clock.totals
        var rows: [Row] = [
            .text("model", model), .text("estimator", options.estimator), .integer("threads", threads),
        ] + Row.kernels + [
            .integer("sketch", options.sketch ?? 0),
            .integer("runs", done.count), .integer("sentences", sentences), .integer("tokens", tokens),
            .number("wall_seconds", wall, 2), .number("cpu_seconds", cpuSeconds, 2),
            .number("ms_per_sentence", wall * 1000 / Double(max(1, sentences)), 1),
            .number("tokens_per_second", Double(tokens) / wall, 1),
        ]
        let cpu = job.clock.cpuTotals
        for stage in StageClock.Stage.allCases {
            let seconds = stages[stage] ?? 0, cores = seconds > 0 ? (cpu[stage] ?? 0) / seconds : 0
            rows.append(Row(key: "\(stage.rawValue)_seconds",
                            table: String(format: "%.2f  (%.1f%%, %.2f cores busy)", seconds, seconds / wall * 100, cores),
                            json: "\(seconds)"))
        }
        let other = wall - stages.values.reduce(0, +)
        rows.append(Row(key: "other_seconds", table: String(format: "%.2f  (%.1f%%)", other, other / wall * 100),
                        json: "\(other)"))
        // The pipeline's cost over the engine's own passes (Fisher and EMB) for the same tokens.
        let engine = (stages[.fisher] ?? 0) + (stages[.emb] ?? 0)
        rows.append(.number("wall_over_engine", engine > 0 ? wall / engine : 0, 3))
        report(format: format, rows)
    }
}
