import Foundation
import XSNSCompute
import XSNSEngine
import XSNSSession
import XSNSStorage
import XSNSTraining

/// `xsns probe` (2403.20088): for each transfer language s, step count N and run r, fine-tune the whole
/// base model with masked-LM on s's corpus for N steps (AdamW, linear decay to 0 over N, dropout on, the
/// task adapter switched off), then tag every target's test treebank with the unchanged task adapter and
/// head. Every run starts from the original weights. Δ(s→t, N) = mean over runs of the accuracy change,
/// in points, written as `probe/transfer-N<N>.csv` in the gold format.
///
/// Resumable per (s, N, r): a run's file is written atomically when it ends, and existing runs that
/// cover every requested target are not redone.
public final class ProbeJob {
    public enum Event: Sendable {
        case note(String)
        case original(target: String, accuracy: Double)
        case runStarted(transfer: String, steps: Int, run: Int, index: Int, total: Int)
        case step(Int, of: Int)
        case runFinished(ProbeRunRecord, index: Int, total: Int)
    }

    public let options: ProbeOptions
    public let paths: ProbePaths
    public let threads: Int
    private let stop: StopSignal
    private let emit: @Sendable (Event) -> Void

    public init(options: ProbeOptions, session: URL, threads: Int, stop: StopSignal = StopSignal(),
                events: @escaping @Sendable (Event) -> Void = { _ in }) {
        self.options = options
        paths = ProbePaths(session: session)
        self.threads = max(1, threads)
        self.stop = stop
        emit = events
    }

    /// Runs what is missing; returns false when stopped (finished runs are kept).
    @discardableResult
    public func run() throws -> Bool {
        try options.validate()
        BLASThreads.set(threads)
        let task = try TaskModel(paths: paths, threads: threads)
        let tokenizer = task.loaded.tokenizer
        let treebanks = try TreebankFolder(directory: URL(fileURLWithPath: options.treebanks))
        var options = self.options
        options.task = try SHA256.hexDigest(ofFileAt: paths.taskWeights)
        // Every target, transfer language and step count the session's runs have: a run that is redone
        // evaluates all targets, and the tables keep them all.
        let merged = try mergedWithRecordedRuns(options)
        let evaluationLength = min(task.record.options.maxLength, task.loaded.positionLimit)
        var targets: [String: [LabelledSentence]] = [:]
        for target in merged.targets {
            let sentences = try treebanks.sentences(target, [.test])
                .map { LabelledSentence($0, tokenizer: tokenizer, maxLength: evaluationLength) }
            guard sentences.contains(where: { !$0.positions.isEmpty }) else {
                throw InputError(file: treebanks.files(target, [.test])[0].path, "no word of '\(target)' survives tokenization")
            }
            targets[target] = sentences
        }
        let corpora = URL(fileURLWithPath: options.corpora)
        let blockLength = min(options.blockLength, task.loaded.positionLimit)
        var pools: [String: [[Int32]]] = [:]
        for (language, url) in try Corpus.files(in: corpora, languages: options.transfer) {
            let lines = try Corpus.load(url).lines
            pools[language] = options.packing == .blocks
                ? MaskedBatchSampler.blocks(of: lines, tokenizer: tokenizer, length: blockLength)
                : lines.map { tokenizer.encode($0, maxLength: blockLength).ids.map { Int32($0) } }
            guard pools[language]?.isEmpty == false else { throw InputError(file: url.path, "has no usable line") }
        }
        try FileManager.default.createDirectory(at: paths.runsFolder, withIntermediateDirectories: true)
        try write(merged, to: paths.runOptions)
        if options.recordInputs { try recordEvaluationInputs(targets) }

        let model = task.model
        let original = model.parameters.allValues.values
        var originalAccuracy = try loadOriginal()
        for target in merged.targets where originalAccuracy[target] == nil {
            originalAccuracy[target] = try TaggingAccuracy(sentences: targets[target]!, model: model, head: task.head)
            try write(originalAccuracy, to: paths.original)
        }
        for target in options.targets {
            let accuracy = originalAccuracy[target]!
            emit(.original(target: target, accuracy: accuracy.accuracy))
            if accuracy.unknownTags > 0 {
                emit(.note("\(target): \(accuracy.unknownTags) of \(accuracy.words) test words have a tag outside the label set; "
                           + "they count as wrong"))
            }
        }

        let plan = options.transfer.flatMap { s in options.steps.flatMap { n in (1...options.runs).map { (s, n, $0) } } }
        let masking = task.loaded.masking(probability: options.maskProbability)
        for (index, (transfer, steps, run)) in plan.enumerated() {
            if let done = try? loadRun(transfer: transfer, steps: steps, run: run),
               options.targets.allSatisfy({ done.accuracy[$0] != nil }) { continue }
            if stop.isStopped { return false }
            emit(.runStarted(transfer: transfer, steps: steps, run: run, index: index + 1, total: plan.count))
            let pool = pools[transfer]!
            let sampler = MaskedBatchSampler(count: pool.count, batchSize: options.batchSize, seed: UInt64(run),
                                             masking: masking) { pool[$0] }
            guard let record = try fineTuneAndEvaluate(model: model, head: task.head, original: original, sampler: sampler,
                                                       transfer: transfer, steps: steps, run: run,
                                                       targets: merged.targets.map { ($0, targets[$0]!) })
            else { return false }
            try write(record, to: paths.run(transfer: transfer, steps: steps, run: run))
            try writeTables()
            emit(.runFinished(record, index: index + 1, total: plan.count))
        }
        try writeTables()
        return true
    }

    /// One run from the original weights; nil when stopped midway (the model is restored either way).
    private func fineTuneAndEvaluate(
        model: EncoderModel, head: TokenClassificationHead, original: [Float], sampler: MaskedBatchSampler,
        transfer: String, steps: Int, run: Int, targets: [(String, [LabelledSentence])]
    ) throws -> ProbeRunRecord? {
        defer {
            model.parameters.restore(original)
            model.adaptersEnabled = true
        }
        model.adaptersEnabled = false
        let trainer = try MaskedLMTrainer(
            model: model,
            settings: .init(scope: .all, schedule: LinearSchedule(peak: options.learningRate, warmupSteps: 0, totalSteps: steps),
                            optimizer: AdamW.Settings(weightDecay: 0), clipNorm: 1),
            seed: UInt64(run))
        let recorder = try options.recordInputs
            ? InputRecorder(url: paths.runInputs(transfer: transfer, steps: steps, run: run), resumingAt: 0) : nil
        var losses: [Double?] = []
        for step in 0..<steps {
            if stop.isStopped { return nil }
            let batch = sampler.batch(step: step)
            trainer.dropoutRandom = SeededRandom(seed: sampler.dropoutSeed(step: step))
            losses.append(try trainer.step(batch).loss)
            for sequence in batch { try recorder?.append(TrainMLMJob.inputLine(step: step + 1, sequence)) }
            emit(.step(step + 1, of: steps))
        }
        try recorder?.finish()
        model.adaptersEnabled = true
        var accuracy: [String: TaggingAccuracy] = [:]
        for (target, sentences) in targets {
            accuracy[target] = try TaggingAccuracy(sentences: sentences, model: model, head: head)
        }
        return ProbeRunRecord(transfer: transfer, steps: steps, run: run, losses: losses, accuracy: accuracy)
    }

    // MARK: - Files

    /// `options` joined with the runs already in the session (languages and step counts added up); runs
    /// made with other options or another task adapter are refused: their Δ would not be comparable.
    private func mergedWithRecordedRuns(_ options: ProbeOptions) throws -> ProbeOptions {
        guard FileManager.default.fileExists(atPath: paths.runOptions.path) else { return options }
        let recorded: ProbeOptions
        do {
            recorded = try JSONDecoder().decodeScreened(ProbeOptions.self, from: Data(contentsOf: paths.runOptions))
        } catch {
            throw InputError(file: paths.runOptions.path, "unreadable probe options: \(error)")
        }
        guard recorded.task == options.task else {
            throw InputError(file: paths.runsFolder.path, "holds runs measured with another task adapter; "
                             + "move probe/runs and probe/original.json away, or use another session")
        }
        guard recorded.sameRuns(as: options) else {
            throw InputError(file: paths.runsFolder.path, "holds runs made with other options (batch size, lr, packing, "
                             + "corpora or treebanks); repeat them, or use another session")
        }
        func union<T: Hashable>(_ a: [T], _ b: [T]) -> [T] { a + b.filter { !a.contains($0) } }
        var merged = options
        merged.transfer = union(recorded.transfer, options.transfer)
        merged.targets = union(recorded.targets, options.targets)
        merged.steps = union(recorded.steps, options.steps).sorted()
        merged.runs = max(recorded.runs, options.runs)
        return merged
    }

    private func loadOriginal() throws -> OriginalAccuracy {
        guard FileManager.default.fileExists(atPath: paths.original.path) else { return [:] }
        do {
            return try JSONDecoder().decodeScreened(OriginalAccuracy.self, from: Data(contentsOf: paths.original))
        } catch {
            throw InputError(file: paths.original.path, "unreadable: \(error)")
        }
    }

    private func loadRun(transfer: String, steps: Int, run: Int) throws -> ProbeRunRecord {
        try JSONDecoder().decodeScreened(ProbeRunRecord.self,
                                         from: Data(contentsOf: paths.run(transfer: transfer, steps: steps, run: run)))
    }

    /// `transfer-N<N>.csv` for every N with a complete (transfer, target) cell (`ProbeResults.table`).
    private func writeTables() throws {
        guard let results = try ProbeResults.load(paths) else { return }
        for steps in results.options.steps {
            // No complete cell (e.g. more runs asked for): no table, rather than yesterday's means.
            guard let table = results.table(steps: steps) else {
                try? FileManager.default.removeItem(at: paths.transferTable(steps: steps))
                continue
            }
            try AtomicFile.write(Data(table.utf8), to: paths.transferTable(steps: steps))
        }
    }

    private func recordEvaluationInputs(_ targets: [String: [LabelledSentence]]) throws {
        try FileManager.default.createDirectory(at: paths.inputsFolder, withIntermediateDirectories: true)
        for (target, sentences) in targets {
            let lines = sentences.map { sentence -> String in
                let ids = sentence.inputIds.map(String.init).joined(separator: ",")
                let positions = sentence.positions.map(String.init).joined(separator: ",")
                let labels = sentence.labels.map { label in label.map(String.init) ?? "null" }.joined(separator: ",")
                return "{\"input_ids\":[\(ids)],\"positions\":[\(positions)],\"labels\":[\(labels)]}\n"
            }
            try AtomicFile.write(Data(lines.joined().utf8), to: paths.evaluationInputs(target: target))
        }
    }

    private func write<T: Encodable>(_ value: T, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(value), to: url)
    }
}
