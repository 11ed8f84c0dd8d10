import ArgumentParser
import Foundation
import XSNSCluster
import XSNSCompute
import XSNSSession
import XSNSStorage

struct ComputeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compute",
        abstract: "Compute per-language Fisher information into a session (resumable).",
        discussion: """
            Writes fisher/<lang>.seed<k>.safetensors for every language and seed. Progress is
            checkpointed every 64 sentences and 60 s; after a kill, the same command resumes.
            """)

    @Option(help: "Session name (a folder under Sessions/) or a path containing '/'.")
    var session: String
    @Option(help: "Model: a local folder or a Hugging Face hub id found in the HF cache.")
    var model: String
    @Option(help: "Folder with one <lang>.txt per language.")
    var corpora: String
    @Option(help: "Comma-separated language codes (default: every <lang>.txt in --corpora).")
    var langs: String?
    @Option(help: "Sentences sampled per language and seed.")
    var sentences = ComputeOptions.defaults.sentences
    @Option(help: "Comma-separated sampling/masking seeds.")
    var seeds = ComputeOptions.defaults.seeds.map(String.init).joined(separator: ",")
    @Option(help: "Fisher estimator: xsns (reference: batches, dropout, clipping) or exact.")
    var estimator = ComputeOptions.defaults.estimator
    @Option(help: "Sentences per batch (xsns estimator).")
    var batchSize = ComputeOptions.defaults.batchSize
    @Option(help: "Tokens per sentence including special tokens; longer ones are truncated.")
    var maxLength = ComputeOptions.defaults.maxLength
    @Option(name: .customLong("mask-prob"), help: "Share of non-special tokens selected for prediction.")
    var maskProbability = ComputeOptions.defaults.maskProbability
    @Flag(help: "Also write inputs/<lang>.seed<k>.jsonl (masked ids and labels) for replaying elsewhere.")
    var recordInputs = false
    @Option(help: "Threads (default: every core this process may use; OMP_NUM_THREADS and cgroup limits honoured).")
    var threads = ComputeOptions.defaults.threads
    @Option(help: "(language, seed) runs computed at once; --threads is shared out among them.")
    var jobs = 1
    @Flag(help: "Also keep each run's Fisher after 8, 16, … 512 sentences in convergence/ (for xsns converge).")
    var convergence = false
    @Flag(name: .customLong("no-emb"), help: "Skip the EMB baseline's extra forward pass (about 16% of the time; no emb metric).")
    var noEmbedding = false
    @Option(help: "Also keep a D-dimensional random projection of each sentence's θ gradient (D square, e.g. 1024) for influence+/influence-.")
    var sketch: Int?
    @Option(help: "The field (.jsonl) or column (.tsv) of a record corpus holding the text (default: text).")
    var textField: String?
    @Option(help: "The field or column holding a second segment: each record is encoded as a sentence pair (the tokenizer's pair template).")
    var pairField: String?
    @Option(help: "mlm (masked-LM loss) or random-head (a random, frozen classification layer on the last hidden states predicting random labels: the X-SNS paper's task-layer variant).")
    var objective = "mlm"
    @Option(help: "Labels of the random head (--objective random-head).")
    var numLabels: Int?
    @Option(help: "token (a random label at every non-special token, as for POS/NER) or sequence (one at the first token, as for NLI), with --objective random-head.")
    var headLevel: String?
    @Flag(help: "Submit one Slurm array job (a task per missing (language, seed)) instead of computing here.")
    var slurm = false
    @Option(name: .customLong("slurm-option"), parsing: .unconditionalSingleValue,
            help: "An #SBATCH option for --slurm (repeatable), e.g. --slurm-option=--cpus-per-task=4.")
    var slurmOptions: [String] = []
    @Option(help: "With --slurm: at most this many tasks at once.")
    var maxParallel: Int?
    @Option(help: .hidden)
    var checkpointEvery = 64

    func run() throws {
        var options = ComputeOptions(
            sentences: sentences, seeds: try parseSeeds(seeds), estimator: estimator, batchSize: batchSize,
            maxLength: maxLength, maskProbability: maskProbability, recordInputs: recordInputs, threads: threads)
        if noEmbedding { options.embBaseline = false }
        options.sketch = sketch
        options.objective = objective == "mlm" ? nil : objective
        options.numLabels = numLabels
        options.headLevel = headLevel
        options.textField = textField
        options.pairField = pairField
        guard jobs >= 1 else { throw InputError("--jobs must be at least 1, got \(jobs)") }
        guard slurm || (maxParallel == nil && slurmOptions.isEmpty) else {
            throw InputError("--max-parallel and --slurm-option only go with --slurm")
        }
        guard !slurm || jobs == 1 else { throw InputError("--jobs is for computing here; with --slurm each task runs one pair") }
        var request = ComputeRequest(
            session: try SessionStore.folder(forName: session), modelSpec: model,
            corpora: URL(fileURLWithPath: corpora), languages: parseList(langs), options: options)
        request.jobs = jobs
        request.convergence = convergence
        if slurm {
            try submit(request)
            return
        }
        let stop = StopSignal()
        let signals = SignalTrap(stop: stop)
        let reporter = ProgressReporter()
        let job = ComputeJob(request, stop: stop, events: reporter.handle)
        job.checkpointSentences = max(1, checkpointEvery)
        let summary = try job.run()
        reporter.finish()
        signals.restore()

        let held = summary.runs.filter { if case .heldElsewhere = $0.outcome { true } else { false } }
        if summary.wasInterrupted {
            throw RuntimeFailure("interrupted; progress is checkpointed in \(request.session.path): "
                + "run the same command again to resume")
        }
        if !held.isEmpty {
            throw RuntimeFailure("\(held.count) run(s) are being computed by another process (see above)")
        }
        let computed = summary.runs.filter { $0.outcome == .computed }.count
        print("computed \(computed) run(s), \(summary.runs.count - computed) already done, in \(request.session.path)")
    }
}

extension ComputeCommand {
    /// `--slurm`: the inputs are checked and recorded here, then one array job covers what is missing.
    private func submit(_ request: ComputeRequest) throws {
        if let maxParallel, maxParallel < 1 { throw InputError("--max-parallel must be at least 1, got \(maxParallel)") }
        let missing = try ComputeJob(request).plan()
        var submission = SlurmSubmission(request: request, executable: Self.executablePath)
        submission.options = slurmOptions
        submission.maxParallel = maxParallel
        guard let job = try submission.submit(missing: missing) else {
            print(missing.isEmpty ? "every run is computed; nothing to submit"
                  : "every missing run is queued or running already; nothing to submit (xsns status --session \(session))")
            return
        }
        print("submitted Slurm job \(job.id): \(job.tasks.count) task(s), logs in \(request.session.path)/logs; "
              + "follow with xsns status --session \(session) [--wait]")
    }

    /// This executable, for the tasks to run (so they use the very same build).
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}

/// Shows compute events: one line redrawn in place on a terminal, a line per 10% otherwise (logs).
final class ProgressReporter: @unchecked Sendable {
    private let status = StatusLine()
    private let lock = NSLock()
    private var lastDecile: [String: Int] = [:]
    private var lastStability: [String: Double] = [:]

    func handle(_ event: ComputeEvent) {
        lock.withLock {
            switch event {
            case .started(let language, let seed, let sentences, let usedAll, let resumedFrom):
                var line = "\(language) seed \(seed): \(sentences) sentences"
                if usedAll { line += " (every line of the corpus: it has fewer than requested)" }
                if resumedFrom > 0 { line += ", resuming after \(resumedFrom)" }
                write(line)
            case .progress(let progress):
                if status.interactive {
                    status.writeInPlace(ProgressFormat.line(progress, width: 100))
                } else {
                    let key = "\(progress.language).\(progress.seed)"
                    let decile = Int(progress.fraction * 10)
                    if decile > lastDecile[key, default: 0] {
                        lastDecile[key] = decile
                        write(ProgressFormat.line(progress, width: 100))
                    }
                }
            case .stability(let language, let seed, _, let value):
                lastStability["\(language).\(seed)"] = value
            case .finished(let language, let seed, let seconds):
                let stability = lastStability["\(language).\(seed)"].map {
                    String(format: ", sub-network stability %.3f (Jaccard with half the sentences)", $0)
                } ?? ""
                write("\(language) seed \(seed): done in \(ProgressFormat.duration(seconds))\(stability)")
            case .skipped(let language, let seed, let reason):
                write("\(language) seed \(seed): skipped, \(reason)")
            case .note(let text):
                write("note: \(text)")
            }
        }
    }

    func finish() { lock.withLock { status.finish() } }

    private func write(_ line: String) { status.write(line) }
}

/// SIGINT, SIGTERM and SIGHUP stop the job at the next sentence (it checkpoints first) instead of
/// killing the process mid-write.
final class SignalTrap {
    private var sources: [DispatchSourceSignal] = []
    private static let signals = [SIGINT, SIGTERM, SIGHUP]

    init(stop: StopSignal) {
        for number in Self.signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.stop() }
            source.resume()
            sources.append(source)
        }
    }

    func restore() {
        for source in sources { source.cancel() }
        for number in Self.signals { signal(number, SIG_DFL) }
    }
}
