import Foundation
import Synchronization
import XSNSEngine
import XSNSAnalysis
import XSNSSession
import XSNSStorage

/// The sentence loop of one (language, seed): feed, record, checkpoint, and at the end publish the
/// Fisher, head importance and EMB files and mark the run done.
final class RunExecution {
    private let job: ComputeJob
    private let corpus: Corpus
    private let seed: Int
    /// Indices of the run's sentences in the corpus, in the order they are fed.
    private let sentences: [Int]
    private let context: ComputeJob.Context
    private let estimator: FisherEstimator
    private let identity: RunCheckpoint.Identity
    private var embeddingSum: [Double]
    /// Sentences waiting for the EMB pass, which runs on packs of `embeddingPack` (bigger GEMMs than one
    /// sentence at a time; the pooled states are the same up to rounding).
    private var pendingEmbedding: [[Int32]] = []
    static let embeddingPack = 16
    private var stability = StabilityTracker()
    /// The claim the run is computed under (set by `run`), checked before anything shared is written.
    private var claim: RunClaim?
    private var lastStability: Double?

    init(job: ComputeJob, corpus: Corpus, seed: Int, sentences: [Int], context: ComputeJob.Context) throws {
        self.job = job
        self.corpus = corpus
        self.seed = seed
        self.sentences = sentences
        self.context = context
        estimator = try FisherEstimator(
            model: context.model, kind: context.estimator, batchSize: job.request.options.batchSize,
            masking: context.masking, seed: UInt64(seed), sketch: context.sketch,
            objective: try job.request.options.fisherObjective(hidden: context.model.parameters.config.hiddenSize, seed: seed))
        identity = RunCheckpoint.Identity(
            language: corpus.language, seed: seed, sentencesPlanned: sentences.count,
            maxLength: context.maxLength, corpusSHA256: context.corpusHashes[corpus.language] ?? "",
            modelSHA256: context.modelHashes, tokenizerSHA256: context.tokenizerHash,
            estimator: job.request.options.estimator, batchSize: job.request.options.batchSize,
            maskProbability: job.request.options.maskProbability, recordInputs: job.request.options.recordInputs,
            threads: context.model.threads, embBaseline: job.request.options.computesEmbedding ? nil : false,
            sketch: job.request.options.sketch,
            objective: job.request.options.objective == "random-head" ? job.request.options.objectiveDescription : nil)
        embeddingSum = [Double](repeating: 0, count: context.model.parameters.config.hiddenSize)
    }

    private var paths: SessionPaths { context.store.paths }
    private var language: String { corpus.language }

    /// Returns false when stopped early (after checkpointing), true when the run is complete. Checks that
    /// `claim` is still this process's before every checkpoint and before publishing.
    func run(stop: StopSignal, claim: RunClaim, emit: @Sendable (ComputeEvent) -> Void) throws -> Bool {
        self.claim = claim
        let checkpointURL = paths.checkpoint(language: language, seed: seed)
        let inputsURL = paths.inputs(language: language, seed: seed)
        var start = 0
        var recordedBytes: UInt64?
        if job.request.options.recordInputs { InputRecorder.reclaimPublished(inputsURL) }
        let checkpoint = try RunCheckpoint.load(checkpointURL, expecting: identity)
        if checkpoint == nil, FileManager.default.fileExists(atPath: checkpointURL.path) {
            emit(.note("\(language) seed \(seed): its checkpoint was written with other settings (thread count, --no-emb, --sketch, "
                       + "sentences or inputs); starting afresh — resume with the settings it began with to keep it"))
        }
        if let saved = checkpoint,
           !job.request.options.recordInputs || InputRecorder.canResume(inputsURL, at: saved.recordedInputBytes) {
            // The checkpoint is a file: counts that do not fit this run would index outside the
            // sentences and the EMB sum below.
            guard (0...sentences.count).contains(saved.estimator.state.progress.sentences),
                  saved.embeddingSum.count == embeddingSum.count, saved.pendingEmbedding.count < Self.embeddingPack
            else {
                throw InputError(file: checkpointURL.path, "run checkpoint does not fit this run (sentence count "
                    + "or EMB size out of range); delete it to compute \(language) seed \(seed) afresh")
            }
            do { try estimator.restore(saved.estimator) } catch var error as InputError {
                error.file = checkpointURL.path
                throw error
            }
            embeddingSum = saved.embeddingSum
            pendingEmbedding = saved.pendingEmbedding
            start = estimator.progress.sentences
            recordedBytes = saved.recordedInputBytes
        }
        let recorder = job.request.options.recordInputs
            ? try InputRecorder(url: inputsURL, resumingAt: recordedBytes) : nil
        emit(.started(language: language, seed: seed, sentences: sentences.count,
                      usedAllLines: sentences.count < job.request.options.sentences, resumedFrom: start))

        let began = Date()
        var lastCheckpoint = began
        var lastEvent = Date.distantPast
        var sinceCheckpoint = 0
        for index in start..<sentences.count {
            // The heartbeat's finding, free to read: a holder that was taken over writes nothing more.
            if claim.isLost { try claim.confirmHeld() }
            if stop.isStopped {
                try claim.confirmHeld()
                try saveCheckpoint(to: checkpointURL, recorder: recorder)
                try markInterrupted()
                return false
            }
            let clock = job.clock
            let (ids, types) = clock.measure(.tokenize) {
                corpus.encodeWithTypes(sentences[index], tokenizer: context.tokenizer, maxLength: context.maxLength)
            }
            let fed = try clock.measure(.fisher) { try estimator.feed(ids, types: types) }
            try clock.measure(.checkpoint) { try recorder?.record(fed.masked, batch: fed.batch) }
            if job.request.options.computesEmbedding {
                pendingEmbedding.append(ids)
                if pendingEmbedding.count == Self.embeddingPack { try poolPendingEmbedding() }
            }

            sinceCheckpoint += 1
            let done = index + 1
            let measures = StabilityTracker.isMeasurePoint(done) || done == sentences.count
            if measures {
                // The running sum must cover the sentences so far, not only the passes already run.
                try clock.measure(.fisher) { try estimator.runCompleteUnits() }
            }
            if job.request.convergence, StabilityTracker.isMeasurePoint(done), done < sentences.count, done <= 512 {
                try clock.measure(.publish) { try writeConvergencePoint(sentences: done) }
            }
            if measures {
                if let value = clock.measure(.stability, {
                    estimator.withRunningFisherSum { stability.measure(sentences: done, runningSum: $0) }
                }) {
                    lastStability = value
                    emit(.stability(language: language, seed: seed, sentences: done, value: value))
                }
            }
            let now = Date()
            // After the last sentence the run publishes at once: a checkpoint there would be thrown away.
            if done < sentences.count, sinceCheckpoint >= job.checkpointSentences
                || now.timeIntervalSince(lastCheckpoint) >= job.checkpointSeconds {
                try claim.confirmHeld()
                try clock.measure(.checkpoint) { try saveCheckpoint(to: checkpointURL, recorder: recorder) }
                lastCheckpoint = now
                sinceCheckpoint = 0
            }
            if now.timeIntervalSince(lastEvent) >= job.progressInterval || done == sentences.count {
                lastEvent = now
                emit(.progress(ComputeProgress(
                    language: language, seed: seed, sentencesDone: done, sentencesTotal: sentences.count,
                    tokensDone: estimator.progress.tokens, elapsed: now.timeIntervalSince(began),
                    resumedFrom: start)))
            }
        }
        try claim.confirmHeld()
        try publish(recorder: recorder, emit: emit)
        try? FileManager.default.removeItem(at: checkpointURL)
        emit(.finished(language: language, seed: seed, seconds: Date().timeIntervalSince(began)))
        return true
    }

    /// The Fisher so far (the sum over the gradient units completed, divided by their number), as the
    /// final Fisher file would hold it had the run stopped here.
    private func writeConvergencePoint(sentences: Int) throws {
        let units = Float(max(estimator.progress.gradientUnits, 1))
        let values = estimator.withRunningFisherSum { $0.map { $0 / units } }
        let url = paths.convergence(language: language, seed: seed, sentences: sentences)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try SafeTensorsWriter.write(FlatTensors(layout: context.model.parameters.thetaLayout, values: values),
                                    metadata: ["language": language, "seed": "\(seed)", "sentences": "\(sentences)"], to: url)
    }

    /// The EMB pass over the waiting sentences, added to the sum in sentence order.
    private func poolPendingEmbedding() throws {
        try job.clock.measure(.emb) {
            for pooled in try context.model.meanPooledLastHiddenStates(pendingEmbedding) {
                for j in pooled.indices { embeddingSum[j] += Double(pooled[j]) }
            }
        }
        pendingEmbedding.removeAll(keepingCapacity: true)
    }

    private func saveCheckpoint(to url: URL, recorder: InputRecorder?) throws {
        let bytes = try recorder?.sync() ?? 0
        try RunCheckpoint(identity: identity, estimator: estimator.snapshot(), embeddingSum: embeddingSum,
                          recordedInputBytes: bytes, pendingEmbedding: pendingEmbedding).write(to: url)
        let progress = estimator.progress
        try context.store.update { manifest in
            guard var record = manifest.run(language: language, seed: seed) else { return }
            record.sentences = progress.sentences
            record.tokens = progress.tokens
            record.maskedTokens = progress.maskedTokens
            manifest.setRun(record)
        }
    }

    private func markInterrupted() throws {
        try context.store.update { manifest in
            guard var record = manifest.run(language: language, seed: seed) else { return }
            record.status = .interrupted
            record.message = "stopped; the same command resumes from the last checkpoint"
            manifest.setRun(record)
        }
    }

    private func publish(recorder: InputRecorder?, emit: @Sendable (ComputeEvent) -> Void) throws {
        // The last, partial batch's passes belong to the Fisher stage, the writes to publishing.
        let result = try job.clock.measure(.fisher) { try estimator.finish() }
        if !pendingEmbedding.isEmpty { try poolPendingEmbedding() }
        try job.clock.measure(.publish) { try write(result, recorder: recorder, emit: emit) }
    }

    private func write(_ result: FisherResult, recorder: InputRecorder?, emit: @Sendable (ComputeEvent) -> Void) throws {
        let progress = result.progress
        let options = job.request.options
        var metadata: [String: String] = [
            "language": language, "seed": "\(seed)", "estimator": options.estimator,
            "sentences": "\(progress.sentences)", "tokens": "\(progress.tokens)",
            "masked_tokens": "\(progress.maskedTokens)", "gradient_units": "\(progress.gradientUnits)",
            "batch_size": "\(estimator.batchSize)", "max_length": "\(context.maxLength)",
            "mask_prob": "\(options.maskProbability)", "model": job.request.modelSpec,
            "threads": "\(context.model.threads)", "objective": options.objectiveDescription,
        ]
        if progress.gradientUnits > 0 {
            metadata["mean_loss"] = "\(progress.lossSum / Double(progress.gradientUnits))"
        }
        try SafeTensorsWriter.write(result.headImportance, metadata: metadata,
                                    to: paths.headImportance(language: language, seed: seed))
        if job.request.options.computesEmbedding {
            let count = Double(max(progress.sentences, 1))
            var embeddingLayout = TensorLayout()
            embeddingLayout.append(name: "embedding", shape: [embeddingSum.count])
            try SafeTensorsWriter.write(
                FlatTensors(layout: embeddingLayout, values: embeddingSum.map { Float($0 / count) }),
                metadata: metadata, to: paths.embedding(language: language, seed: seed))
        }
        if let sketches = result.sketches, let sketch = estimator.sketch {
            var sketchMetadata = metadata
            sketchMetadata["dimension"] = "\(sketch.dimension)"
            sketchMetadata["projection_seed"] = "\(sketch.seed)"
            try SafeTensorsWriter.write(sketches, metadata: sketchMetadata, to: paths.sketch(language: language, seed: seed))
        }
        try recorder?.finish()
        try claim?.confirmHeld()
        // The Fisher file goes last: its presence is what marks the run complete on disk.
        let fisherURL = paths.fisher(language: language, seed: seed)
        try SafeTensorsWriter.write(result.fisher, metadata: metadata, to: fisherURL)
        // The mask index spares every later analysis a read of the whole Fisher file; without it the
        // first analysis builds it.
        do {
            let notes = Mutex<[String]>([])
            try MaskIndexStore(session: paths.folder, notes: { note in notes.withLock { $0.append(note) } })
                .save(result.fisher, fisher: fisherURL)
            for note in notes.withLock({ $0 }) { emit(.note(note)) }
        } catch {
            emit(.note("\(language) seed \(seed): no mask index (\(error)); the first analysis builds it"))
        }
        // Counts with the seed's other runs at every p of the index grid: such a p then reads no index at all.
        do {
            try PairCountStore(catalog: FisherCatalog(session: paths.folder)).record(language: language, seed: seed)
        } catch {
            emit(.note("\(language) seed \(seed): no pair counts (\(error)); xsns index writes them"))
        }
        try context.store.update { manifest in
            var record = manifest.run(language: language, seed: seed) ?? RunRecord(language: language, seed: seed)
            record.status = .done
            record.sentences = progress.sentences
            record.tokens = progress.tokens
            record.maskedTokens = progress.maskedTokens
            record.fisher = paths.relativeFisher(language: language, seed: seed)
            record.finishedAt = Timestamp.string()
            record.message = nil
            record.stability = lastStability
            manifest.setRun(record)
        }
    }
}
