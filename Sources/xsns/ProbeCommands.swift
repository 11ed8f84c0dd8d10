import ArgumentParser
import Foundation
import XSNSEngine
import XSNSCompute
import XSNSProbe
import XSNSSession
import XSNSStorage

struct ProbeTaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe-task",
        abstract: "Train the transfer probe's task adapter (POS tagging) into a session's probe/task/.",
        discussion: """
            Bottleneck adapters (seq_bn) in every layer and a tagging head, the base model frozen, trained on \
            the *train* and *dev* treebanks of --langs in --treebanks (never *test*), 5% held out for \
            validation. The model is the session's (--model for a session computed without one).
            """)

    @Option(help: "Session name (a folder under Sessions/) or a path containing '/'.")
    var session: String
    @Option(help: "Folder of <lang>*.conllu treebanks.")
    var treebanks: String
    @Option(help: "Comma-separated languages to train on (default: every one with a train or dev treebank).")
    var langs: String?
    @Option(help: "Passes over the training sentences.")
    var epochs = 3
    @Option(help: "Peak learning rate (linear decay to 0).")
    var lr = 5e-4
    @Option(help: "Sentences per step.")
    var batchSize = 32
    @Option(help: "Sub-words per sentence including special tokens; longer ones are truncated.")
    var maxLength = 256
    @Option(help: "Seed of the adapter and head initialisation, the shuffles and dropout.")
    var seed: UInt64 = 1
    @Option(help: "Model: a local folder or a Hugging Face hub id (default: the session's model).")
    var model: String?
    @Option(help: "Threads (default: every core this process may use; OMP_NUM_THREADS and cgroup limits honoured).")
    var threads = ThreadBudget.available

    func run() throws {
        let folder = try SessionStore.folder(forName: session)
        let spec = try resolvedModel(folder)
        var options = ProbeTaskOptions(model: spec, treebanks: treebanks, languages: parseList(langs) ?? [])
        options.epochs = epochs
        options.learningRate = lr
        options.batchSize = batchSize
        options.maxLength = maxLength
        options.seed = seed
        let stop = StopSignal()
        let signals = SignalTrap(stop: stop)
        let reporter = ProbeReporter()
        let job = ProbeTaskJob(options: options, session: folder, threads: threads, stop: stop, events: reporter.task)
        defer {
            reporter.finish()
            signals.restore()
        }
        let finished = try job.run()
        guard finished else { throw RuntimeFailure("interrupted before the end: nothing was written; run it again") }
        print("task adapter written to \(job.paths.taskFolder.path)")
    }

    /// The session's model; `--model` only for a session that has none (the probe must measure the
    /// model the session's sub-networks come from).
    private func resolvedModel(_ folder: URL) throws -> String {
        let recorded = FileManager.default.fileExists(atPath: SessionPaths(folder: folder).manifest.path)
            ? try SessionStore(folder: folder).load().model?.spec : nil
        switch (recorded, model) {
        case (let recorded?, let given?) where recorded != given:
            throw InputError(file: folder.path, "was computed with --model \(recorded), not \(given); "
                             + "leave --model out, or use another session")
        case (let recorded?, _): return recorded
        case (nil, let given?): return given
        case (nil, nil): throw InputError(file: folder.path, "has no model yet; pass --model SPEC")
        }
    }
}

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Measure transfer (2403.20088): fine-tune on each transfer language, tag each target.",
        discussion: """
            Needs the session's task adapter (xsns probe-task). For each transfer language, step count and \
            run, the base model is fine-tuned with masked-LM on that language's corpus from the original \
            weights, then every target's *test* treebank is tagged. Results: probe/runs/*.json and \
            probe/transfer-N<steps>.csv (source,target,score = Δ accuracy points, mean over runs), usable \
            as --gold probe. Resumable: run the same command again.
            """)

    @Option(help: "Session name (a folder under Sessions/) or a path containing '/'.")
    var session: String
    @Option(help: "Folder with one <lang>.txt per language (the transfer languages' text).")
    var corpora: String
    @Option(help: "Folder of <lang>*.conllu treebanks (the targets' *test* files are tagged).")
    var treebanks: String
    @Option(help: "Comma-separated transfer languages.")
    var transfer: String
    @Option(help: "Comma-separated target languages.")
    var targets: String
    @Option(help: "Comma-separated masked-LM step counts.")
    var steps = "1,10,100"
    @Option(help: "Runs per (transfer, steps), seeds 1…runs.")
    var runs = 3
    @Option(help: "Sequences per step.")
    var batchSize = 8
    @Option(help: "Peak learning rate (linear decay to 0 over the run).")
    var lr = 5e-5
    @Option(name: .customLong("mask-prob"), help: "Share of non-special tokens selected for prediction.")
    var maskProbability = 0.15
    @Option(help: "blocks (the official code: text cut into --block-length token blocks) or lines (one line each).")
    var packing = ProbeOptions.Packing.blocks.rawValue
    @Option(help: "Tokens per block (capped by the model's positions).")
    var blockLength = 512
    @Flag(help: "Also write probe/inputs/: every step's masked batch and the evaluated tokens.")
    var recordInputs = false
    @Option(help: "Threads (default: every core this process may use; OMP_NUM_THREADS and cgroup limits honoured).")
    var threads = ThreadBudget.available

    func run() throws {
        let folder = try SessionStore.folder(forName: session)
        var options = ProbeOptions(corpora: corpora, treebanks: treebanks, transfer: parseList(transfer) ?? [],
                                   targets: parseList(targets) ?? [])
        options.steps = try (parseList(steps) ?? []).map {
            guard let count = Int($0) else { throw InputError("--steps: '\($0)' is not a whole number") }
            return count
        }
        options.runs = runs
        options.batchSize = batchSize
        options.learningRate = lr
        options.maskProbability = maskProbability
        guard let packingValue = ProbeOptions.Packing(rawValue: packing) else {
            throw InputError("--packing takes blocks or lines, got '\(packing)'")
        }
        options.packing = packingValue
        options.blockLength = blockLength
        options.recordInputs = recordInputs
        let stop = StopSignal()
        let signals = SignalTrap(stop: stop)
        let reporter = ProbeReporter()
        let job = ProbeJob(options: options, session: folder, threads: threads, stop: stop, events: reporter.transfer)
        defer {
            reporter.finish()
            signals.restore()
        }
        let finished = try job.run()
        guard finished else {
            throw RuntimeFailure("interrupted; finished runs are kept in \(job.paths.runsFolder.path): run the same command to go on")
        }
        let tables = job.paths.tabulatedSteps().map { job.paths.transferTable(steps: $0).path }
        print("probe finished; Δ tables: \(tables.joined(separator: ", "))")
    }
}

/// Progress of the probe commands on stderr (a line redrawn in place on a terminal).
final class ProbeReporter: @unchecked Sendable {
    private let status = StatusLine()
    private let lock = NSLock()
    private var current = ""

    func task(_ event: ProbeTaskJob.Event) {
        lock.withLock {
            switch event {
            case .note(let text): status.write("note: \(text)")
            case .epoch(let epoch, let accuracy):
                status.write("epoch \(epoch): validation accuracy " + (accuracy.map { String(format: "%.2f%%", $0 * 100) } ?? "n/a"))
            case .step(let log, let total, _):
                let loss = log.loss.map { String(format: "%.4f", $0) } ?? "n/a"
                if status.interactive { status.writeInPlace("task step \(log.step)/\(total)  loss \(loss)") }
            }
        }
    }

    func transfer(_ event: ProbeJob.Event) {
        lock.withLock {
            switch event {
            case .note(let text): status.write("note: \(text)")
            case .original(let target, let accuracy):
                status.write(String(format: "original accuracy %@ %.2f%%", target, accuracy * 100))
            case .runStarted(let transfer, let steps, let run, let index, let total):
                current = "run \(index)/\(total): \(transfer) N=\(steps) r=\(run)"
                if status.interactive { status.writeInPlace(current) }
            case .step(let step, let steps):
                if status.interactive { status.writeInPlace("\(current)  step \(step)/\(steps)") }
            case .runFinished(let record, _, _):
                let scores = record.accuracy.keys.sorted()
                    .map { String(format: "%@ %.2f%%", $0, record.accuracy[$0]!.accuracy * 100) }
                status.write("\(current): " + scores.joined(separator: "  "))
            }
        }
    }

    func finish() { lock.withLock { status.finish() } }
}
