import Foundation
import XSNSAnalysis
import XSNSEngine
import XSNSSession
import XSNSStorage
import XSNSTokenizers

/// What `xsns compute` was asked to do.
public struct ComputeRequest: Sendable {
    public var session: URL
    public var modelSpec: String
    public var corpora: URL
    public var languages: [String]?
    public var options: ComputeOptions
    /// (language, seed) runs computed at once, `options.threads` shared out among them; results are
    /// those of sequential runs with that many threads each (the per-run count is in each Fisher file's
    /// metadata and in the run checkpoint, so a run resumes only with the thread count it began with).
    public var jobs = 1
    /// Also keep each run's Fisher after 8, 16, 32, … 512 sentences (`convergence/n<N>/`), for `xsns converge`.
    public var convergence = false

    public init(session: URL, modelSpec: String, corpora: URL, languages: [String]?, options: ComputeOptions) {
        self.session = session
        self.modelSpec = modelSpec
        self.corpora = corpora
        self.languages = languages
        self.options = options
    }
}

/// Set from another thread (a signal handler's flag, the TUI's pause key) to stop a job at the
/// next sentence: the job checkpoints and returns, and the same command resumes it later.
public final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    public init() {}
    public func stop() { lock.withLock { stopped = true } }
    public var isStopped: Bool { lock.withLock { stopped } }
}

/// How each (language, seed) of a job ended.
public struct ComputeSummary: Sendable {
    public enum Outcome: Sendable, Equatable {
        case computed, alreadyDone, interrupted
        case heldElsewhere(String)
    }
    public var runs: [(language: String, seed: Int, outcome: Outcome)] = []

    public var wasInterrupted: Bool { runs.contains { $0.outcome == .interrupted } }
}

/// Corpora → sampled sentences → token ids → Fisher per (language, seed), written into a session.
/// Checkpoints every `checkpointSentences` sentences and `checkpointSeconds` seconds, so that a
/// run killed at any moment resumes with the same command and ends bit-identical.
public final class ComputeJob: @unchecked Sendable {
    public let request: ComputeRequest
    public var checkpointSentences = 64
    public var checkpointSeconds: TimeInterval = 60
    /// Minimum time between two progress events of a run (the last one is always sent).
    public var progressInterval: TimeInterval = 0.2
    /// Wall time per stage of everything this job ran (`xsns bench --compute`).
    public let clock = StageClock()
    private let emit: @Sendable (ComputeEvent) -> Void
    let stopSignal: StopSignal

    public init(_ request: ComputeRequest, stop: StopSignal = StopSignal(),
                events: @escaping @Sendable (ComputeEvent) -> Void = { _ in }) {
        self.request = request
        self.stopSignal = stop
        self.emit = events
    }

    /// Everything loaded once per job.
    struct Context {
        let store: SessionStore
        let model: EncoderModel
        let tokenizer: Tokenizer
        let estimator: FisherEstimatorKind
        let masking: MaskingPolicy
        let maxLength: Int
        let modelHashes: [String]
        let corpusHashes: [String: String]
        let tokenizerHash: String
        /// The projection of `--sketch` (read-only: shared by every run and worker).
        let sketch: GradientSketch?

        /// The same inputs with another model (a worker's own activations over the shared parameters).
        func with(model: EncoderModel) -> Context {
            Context(store: store, model: model, tokenizer: tokenizer, estimator: estimator, masking: masking,
                    maxLength: maxLength, modelHashes: modelHashes, corpusHashes: corpusHashes,
                    tokenizerHash: tokenizerHash, sketch: sketch)
        }
    }

    /// Checks every input and records the session's settings as `run` does, computes nothing, and
    /// returns the (language, seed) runs that are not done yet: what a cluster submission must cover.
    public func plan() throws -> [(language: String, seed: Int)] {
        let options = request.options
        let (corpusFiles, _) = try readInputs()
        // The weights themselves are not loaded here (the login node only plans): the tasks load them.
        let store = try record(try ModelWithTokenizer(spec: request.modelSpec), corpusFiles: corpusFiles).store
        let manifest = try store.load()
        return corpusFiles.flatMap { file in options.seeds.map { (file.language, $0) } }.filter { language, seed in
            !(manifest.run(language: language, seed: seed)?.status == .done
              && FileManager.default.fileExists(atPath: store.paths.fisher(language: language, seed: seed).path))
        }
    }

    /// The options checked and every corpus read, before anything is computed or written: a bad file late
    /// in the list must not surface hours into a job.
    private func readInputs() throws -> (files: [(language: String, url: URL)], corpora: [Corpus]) {
        let options = request.options
        try options.validate()
        guard request.jobs >= 1 else { throw InputError("--jobs must be at least 1, got \(request.jobs)") }
        // A convergence point is the Fisher of the batches completed by then: it equals a run of that many
        // sentences only when the batches end there (8, 16, … sentences).
        if request.convergence, options.estimatorKind == .xsns, 8 % options.batchSize != 0 {
            throw InputError("--convergence needs --batch-size 1, 2, 4 or 8 with the xsns estimator, got \(options.batchSize)")
        }
        let corpusFiles = try Corpus.files(in: request.corpora, languages: request.languages)
        for file in corpusFiles { try SessionPaths.checkLanguage(file.language) }
        return (corpusFiles, try corpusFiles.map { try Corpus.load($0.url, fields: request.options.corpusFields) })
    }

    public func run() throws -> ComputeSummary {
        let options = request.options
        let (corpusFiles, corpora) = try readInputs()
        let context = try clock.measure(.prepare) { try prepare(corpusFiles: corpusFiles) }

        var pairs: [(corpus: Corpus, seed: Int)] = []
        for corpus in corpora {
            if corpus.invalidLines > 0 {
                emit(.note("\(corpus.url.path): skipped \(corpus.invalidLines) line(s) that are not valid UTF-8"))
            }
            try clock.measure(.prepare) {
                try LexicalCounts.writeIfMissing(
                    corpus: corpus, tokenizer: context.tokenizer,
                    corpusSHA256: context.corpusHashes[corpus.language] ?? "", store: context.store)
            }
            pairs += options.seeds.map { (corpus, $0) }
        }
        var summary = ComputeSummary()
        let outcomes = try computeAll(pairs, context: context)
        summary.runs = zip(pairs, outcomes).map { ($0.corpus.language, $0.seed, $1) }
        return summary
    }

    // MARK: - Preparation

    private func prepare(corpusFiles: [(language: String, url: URL)]) throws -> Context {
        let options = request.options
        let loaded = try ModelWithTokenizer(spec: request.modelSpec)
        let maxLength = min(options.maxLength, loaded.positionLimit)
        if maxLength < options.maxLength {
            emit(.note("--max-length \(options.maxLength) exceeds what the model can embed; using \(maxLength)"))
        }
        if options.pairField != nil {
            // Before anything runs: no room for the segments, or types the model has no row for.
            guard maxLength > loaded.tokenizer.addedPairTokenCount else {
                throw InputError("--max-length \(maxLength) leaves no room for a pair's text after its "
                                 + "\(loaded.tokenizer.addedPairTokenCount) special tokens")
            }
            let types = loaded.tokenizer.encode("a", pair: "b", maxLength: nil).segmentIds
            let available = max(1, loaded.checkpoint.config.typeVocabSize)
            if let type = types.first(where: { $0 >= available }) {
                throw InputError(file: loaded.tokenizerURL.path, "its pair template gives token type \(type), the model has "
                                 + "\(available) type(s)")
            }
        }
        BLASThreads.set(options.threads)
        // Loaded before anything is written: a checkpoint that does not load leaves no session behind.
        let model = EncoderModel(parameters: try EncoderParameters(checkpoint: loaded.checkpoint))
        let recorded = try record(loaded, corpusFiles: corpusFiles)
        return Context(
            store: recorded.store, model: model, tokenizer: loaded.tokenizer,
            estimator: options.estimatorKind ?? .xsns,
            masking: loaded.masking(probability: options.maskProbability),
            maxLength: maxLength, modelHashes: recorded.model.files.map(\.sha256),
            corpusHashes: recorded.corpora.mapValues(\.sha256), tokenizerHash: recorded.tokenizer.sha256,
            sketch: try options.sketch.map {
                try GradientSketch(layout: model.parameters.thetaLayout, dimension: $0, seed: GradientSketch.defaultSeed)
            })
    }

    /// Fingerprints the model, tokenizer and corpora and records them and the options in the session
    /// (refusing a setting that conflicts with its results).
    private func record(_ loaded: ModelWithTokenizer, corpusFiles: [(language: String, url: URL)]) throws
        -> (store: SessionStore, model: ModelRecord, tokenizer: FileFingerprint, corpora: [String: FileFingerprint])
    {
        let options = request.options
        let files = loaded.files
        let store = try SessionStore.openOrCreate(folder: request.session)
        let modelRecord = ModelRecord(
            spec: request.modelSpec, directory: files.directory.path,
            files: try ([files.config] + files.weights).map { try FileFingerprint.of($0) })
        let tokenizerPrint = try FileFingerprint.of(loaded.tokenizerURL)
        var corporaPrints: [String: FileFingerprint] = [:]
        for file in corpusFiles { corporaPrints[file.language] = try FileFingerprint.of(file.url) }
        try store.update { manifest in
            try Self.checkConsistency(manifest, model: modelRecord, tokenizer: tokenizerPrint,
                                      corpora: corporaPrints, options: options, session: store.folder.path)
            manifest.model = modelRecord
            manifest.tokenizer = tokenizerPrint
            var corpora = manifest.corpora ?? CorporaRecord(directory: request.corpora.path, files: [:])
            corpora.directory = request.corpora.path
            corpora.files.merge(corporaPrints) { $1 }
            manifest.corpora = corpora
            // Until a run is done or under way, the session takes this invocation's settings; after
            // that `checkConsistency` has refused any other setting.
            let committed = manifest.runs.contains { $0.status == .done || $0.status == .running }
            var recorded = committed ? (manifest.options ?? options) : options
            // Seeds add up: one invocation per seed (a cluster task) must not shrink the session's plan.
            let before = manifest.options?.seeds ?? []
            recorded.seeds = before + options.seeds.filter { !before.contains($0) }
            recorded.recordInputs = options.recordInputs
            recorded.threads = options.threads
            recorded.embBaseline = options.embBaseline
            recorded.sketch = options.sketch
            recorded.objective = options.objective
            recorded.numLabels = options.numLabels
            recorded.headLevel = options.headLevel
            recorded.textField = options.textField
            recorded.pairField = options.pairField
            manifest.options = recorded
        }
        return (store, modelRecord, tokenizerPrint, corporaPrints)
    }

    // MARK: - One (language, seed)

    func computeRun(corpus: Corpus, seed: Int, context: Context) throws -> ComputeSummary.Outcome {
        let store = context.store
        let language = corpus.language
        if try isDone(language: language, seed: seed, store: store) { return .alreadyDone }
        let claim: RunClaim
        do { claim = try store.claim(language: language, seed: seed) } catch let held as ClaimHeld {
            emit(.skipped(language: language, seed: seed, reason: held.description))
            return .heldElsewhere(held.description)
        }
        defer { claim.release() }
        if let previous = claim.takenOverFrom {
            emit(.note("\(language) seed \(seed): took over the stale claim of \(previous)"))
        }
        // Another process may have finished it between the first look and the claim.
        if try isDone(language: language, seed: seed, store: store) { return .alreadyDone }

        let sentences = corpus.sampleIndices(count: request.options.sentences, seed: UInt64(seed))
        let runner = try RunExecution(
            job: self, corpus: corpus, seed: seed, sentences: sentences, context: context)
        try store.update { manifest in
            var record = manifest.run(language: language, seed: seed) ?? RunRecord(language: language, seed: seed)
            record.status = .running
            record.startedAt = record.startedAt ?? Timestamp.string()
            record.host = claim.owner.host
            record.pid = claim.owner.pid
            record.skippedInvalidLines = corpus.invalidLines
            record.message = nil
            manifest.setRun(record)
        }
        do {
            let finished = try runner.run(stop: stopSignal, claim: claim, emit: emit)
            return finished ? .computed : .interrupted
        } catch let lost as ClaimLost {
            throw lost  // the run's record belongs to the new holder now
        } catch {
            if (try? claim.confirmHeld()) == nil { throw error }  // taken over meanwhile: not ours to mark
            _ = try? store.update { manifest in
                var record = manifest.run(language: language, seed: seed) ?? RunRecord(language: language, seed: seed)
                record.status = .failed
                record.message = "\(error)"
                manifest.setRun(record)
            }
            throw error
        }
    }

    /// A run is done when the manifest says so and its Fisher file exists. Leftovers of a process
    /// killed after publishing (its checkpoint, a recorded-inputs journal) are removed then.
    private func isDone(language: String, seed: Int, store: SessionStore) throws -> Bool {
        guard let run = try store.load().run(language: language, seed: seed), run.status == .done,
              FileManager.default.fileExists(atPath: store.paths.fisher(language: language, seed: seed).path)
        else { return false }
        try? FileManager.default.removeItem(at: store.paths.checkpoint(language: language, seed: seed))
        try? FileManager.default.removeItem(
            at: store.paths.inputs(language: language, seed: seed).appendingPathExtension("partial"))
        var reason = "already computed"
        if request.options.recordInputs,
           !FileManager.default.fileExists(atPath: store.paths.inputs(language: language, seed: seed).path) {
            reason += " without --record-inputs (no inputs file will be written; use a new session)"
        }
        emit(.skipped(language: language, seed: seed, reason: reason))
        return true
    }

}
