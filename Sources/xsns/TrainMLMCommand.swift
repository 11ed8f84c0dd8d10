import ArgumentParser
import Foundation
import XSNSEngine
import XSNSCompute
import XSNSStorage
import XSNSTraining

struct TrainMLMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-mlm",
        abstract: "Fine-tune a checkpoint with masked-LM on some languages' corpora (resumable).",
        discussion: """
            Writes --out in Hugging Face layout (config.json, model.safetensors, tokenizer.json) with
            train_log.jsonl and, with --record-inputs, inputs.jsonl. The state is saved every 50 steps,
            every 60 s and on Ctrl-C; the same command resumes.
            """)

    @Option(help: "Model: a local folder or a Hugging Face hub id found in the HF cache.")
    var model: String
    @Option(help: "Folder with one <lang>.txt per language.")
    var corpora: String
    @Option(help: "Comma-separated language codes whose lines are pooled for training.")
    var langs: String
    @Option(help: "Optimizer steps.")
    var steps: Int
    @Option(help: "Output folder (created; an unfinished run of the same options there is resumed).")
    var out: String
    @Option(help: "Sentences per step.")
    var batchSize = 8
    @Option(help: "Peak learning rate (linear decay to 0 over the run).")
    var lr = 5e-5
    @Option(help: "Decoupled weight decay (AdamW), on every trained tensor.")
    var weightDecay = 0.0
    @Option(help: "Linear warm-up steps.")
    var warmupSteps = 0
    @Option(help: "Global gradient-norm clipping (0: off).")
    var clipNorm = 0.0
    @Option(help: "Tokens per sentence including special tokens; longer ones are truncated.")
    var maxLength = 512
    @Option(name: .customLong("mask-prob"), help: "Share of non-special tokens selected for prediction.")
    var maskProbability = 0.15
    @Option(help: "What to train: all, encoder (embeddings + layers) or theta (encoder.layer.* only).")
    var train = "all"
    @Option(name: .customLong("sparse-mask"),
            help: "SESSION:LANG:P — only LANG's sub-network at p (session Fisher, averaged over seeds) changes.")
    var sparseMask: String?
    @Option(name: .customLong("head-mask"),
            help: "SESSION:LANG:F — only the top F of heads by LANG's importance (session, mean over seeds) change; SESSION:LANG — only LANG's pruned heads (xsns prune-heads), the others switched off.")
    var headMask: String?
    @Option(help: "Seed of the sentence sampling, masking and dropout streams.")
    var seed: UInt64 = 1
    @Option(help: "Threads (default: every core this process may use; OMP_NUM_THREADS and cgroup limits honoured).")
    var threads = ThreadBudget.available
    @Flag(help: "Also write inputs.jsonl: every step's masked batch, to replay the run elsewhere.")
    var recordInputs = false
    @Option(help: .hidden)
    var checkpointEvery = 50

    func run() throws {
        guard let scope = TrainingScope(rawValue: train), scope != .adapters else {
            throw InputError("--train takes all, encoder or theta, got '\(train)'")
        }
        var options = TrainMLMOptions(model: model, corpora: corpora, languages: parseList(langs) ?? [], steps: steps)
        options.batchSize = batchSize
        options.learningRate = lr
        options.weightDecay = weightDecay
        options.warmupSteps = warmupSteps
        options.clipNorm = clipNorm
        options.maxLength = maxLength
        options.maskProbability = maskProbability
        options.scope = scope
        options.seed = seed
        options.recordInputs = recordInputs
        guard sparseMask == nil || headMask == nil else { throw InputError("give --sparse-mask or --head-mask, not both") }
        options.sparseMask = try sparseMask.map { try SparseMaskSpec(parsing: $0, kind: .fisher) }
            ?? headMask.map { try SparseMaskSpec(parsing: $0, kind: .heads) }
        let stop = StopSignal()
        let signals = SignalTrap(stop: stop)
        let reporter = TrainingReporter()
        let job = TrainMLMJob(options: options, out: URL(fileURLWithPath: out), threads: threads, stop: stop,
                              events: reporter.handle)
        job.checkpointSteps = max(1, checkpointEvery)
        let finished = try job.run()
        reporter.finish()
        signals.restore()
        guard finished else {
            throw RuntimeFailure("interrupted; the state is saved in \(out)/.train-state: run the same command to resume")
        }
        print("trained \(steps) steps into \(out)")
    }
}

/// One progress line (redrawn in place on a terminal, every 10% in logs).
final class TrainingReporter: @unchecked Sendable {
    private let status = StatusLine()
    private let lock = NSLock()
    private var lastDecile = -1

    func handle(_ event: TrainMLMJob.Event) {
        lock.withLock {
            switch event {
            case .note(let text): status.write("note: \(text)")
            case .resumed(let step): status.write("resuming after step \(step)")
            case .step(let log, let total, let seconds):
                let loss = log.loss.map { String(format: "%.4f", $0) } ?? "n/a"
                let rate = seconds > 0 ? Double(log.step) / seconds : 0
                let eta = rate > 0 ? ProgressFormat.duration(Double(total - log.step) / rate) : "?"
                let line = String(format: "step %d/%d  loss %@  lr %.3g  grad norm %.3g  ETA %@",
                                  log.step, total, loss, log.lr, log.gradNorm, eta)
                let decile = log.step * 10 / max(total, 1)
                if status.interactive {
                    status.writeInPlace(line)
                } else if decile > lastDecile {
                    lastDecile = decile
                    status.write(line)
                }
            }
        }
    }

    func finish() { lock.withLock { status.finish() } }
}
