import Foundation
import XSNSCompute
import XSNSEngine
import XSNSStorage
import XSNSTokenizers

/// `xsns train-mlm`: masked-LM fine-tuning of a checkpoint on the lines of some languages' corpora,
/// written to a folder in Hugging Face layout with its loss log (and, on request, every step's batch).
///
/// Resumable: the state (every parameter, the optimizer's moments, the step, and how far the journals
/// reach) is saved atomically in `<out>/.train-state/` every `checkpointSteps` steps or 60 s and when
/// stopped. Each step draws its sentences, masks and dropout from streams seeded by (seed, step)
/// (`MaskedBatchSampler`), so a resumed run continues bit-identically (same thread count).
public final class TrainMLMJob {
    /// What the job reports while it runs.
    public enum Event: Sendable {
        case note(String)
        case resumed(step: Int)
        case step(MaskedLMTrainer.StepLog, total: Int, seconds: Double)
    }

    public let options: TrainMLMOptions
    public let out: URL
    public let threads: Int
    public var checkpointSteps = 50
    private let stop: StopSignal
    private let emit: @Sendable (Event) -> Void

    public init(options: TrainMLMOptions, out: URL, threads: Int, stop: StopSignal = StopSignal(),
                events: @escaping @Sendable (Event) -> Void = { _ in }) {
        self.options = options
        self.out = out
        self.threads = max(1, threads)
        self.stop = stop
        emit = events
    }

    var stateFolder: URL { out.appendingPathComponent(".train-state") }

    /// Trains; returns false when stopped early (the state is saved: run again to resume).
    @discardableResult
    public func run() throws -> Bool {
        try options.validate()
        let loaded = try ModelWithTokenizer(spec: options.model)
        let checkpoint = loaded.checkpoint, tokenizer = loaded.tokenizer
        let lines = try Corpus.files(in: URL(fileURLWithPath: options.corpora), languages: options.languages)
            .flatMap { try Corpus.load($0.url).lines }
        guard !lines.isEmpty else { throw InputError(file: options.corpora, "the corpora of --langs have no usable line") }
        let parameters = try EncoderParameters(checkpoint: checkpoint)
        let sparse = try options.sparseMask.map {
            try $0.updateMask(for: parameters, directory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        }
        // Only now, with every input readable, is anything written.
        try prepareOutput()
        if let sparse { try checkSparseMaskUnchanged(sparse.mask) }
        if let sparse, let spec = options.sparseMask {
            let share = Double(sparse.kept) / Double(parameters.thetaRange.count) * 100
            let source = switch (spec.kind, spec.fraction) {
            case (.fisher, let p): "sub-network at p = \(p ?? 0)"
            case (.heads, let fraction?): "top \(fraction) of heads by importance"
            case (.heads, nil): "pruned heads (the others switched off in the forward pass too)"
            }
            emit(.note(String(format: "sparse fine-tuning: %d θ parameters (%.1f%%) of %@'s %@ may change; "
                              + "every other parameter stays fixed", sparse.kept, share, spec.language, source)))
        }
        let maxLength = min(options.maxLength, loaded.positionLimit)
        if maxLength < options.maxLength {
            emit(.note("--max-length \(options.maxLength) exceeds what the model can embed; using \(maxLength)"))
        }
        let sampler = MaskedBatchSampler(count: lines.count, batchSize: options.batchSize, seed: options.seed,
                                         masking: loaded.masking(probability: options.maskProbability)) { index in
            tokenizer.encode(lines[index], maxLength: maxLength).ids.map { Int32($0) }
        }
        BLASThreads.set(threads)
        let model = EncoderModel(parameters: parameters, threads: threads)
        model.headMask = sparse?.forwardHeadMask
        let trainer = try MaskedLMTrainer(
            model: model,
            settings: .init(scope: options.scope,
                            schedule: LinearSchedule(peak: options.learningRate, warmupSteps: options.warmupSteps,
                                                     totalSteps: options.steps),
                            optimizer: AdamW.Settings(weightDecay: options.weightDecay), clipNorm: options.clipNorm),
            seed: options.seed, updateMask: sparse?.mask)

        let snapshot = try TrainingSnapshot.load(from: stateFolder, model: model, optimizer: trainer.optimizer)
        if let snapshot { emit(.resumed(step: snapshot.step)) }
        let log = try InputRecorder(url: out.appendingPathComponent("train_log.jsonl"), resumingAt: snapshot?.logBytes ?? 0)
        let inputs = try options.recordInputs
            ? InputRecorder(url: out.appendingPathComponent("inputs.jsonl"), resumingAt: snapshot?.inputBytes ?? 0) : nil

        let started = Date()
        var lastSave = Date()
        func save() throws {
            try TrainingSnapshot(step: trainer.optimizer.step, logBytes: try log.sync(), inputBytes: try inputs?.sync() ?? 0)
                .save(to: stateFolder, model: model, optimizer: trainer.optimizer)
            lastSave = Date()
        }
        while trainer.optimizer.step < options.steps {
            if stop.isStopped {
                try save()
                return false
            }
            let step = trainer.optimizer.step
            let batch = sampler.batch(step: step)
            trainer.dropoutRandom = SeededRandom(seed: sampler.dropoutSeed(step: step))
            let entry = try trainer.step(batch)
            try log.append(Self.jsonLine(entry))
            if let inputs {
                for sentence in batch { try inputs.append(Self.inputLine(step: entry.step, sentence)) }
            }
            emit(.step(entry, total: options.steps, seconds: Date().timeIntervalSince(started)))
            if entry.step % checkpointSteps == 0 || Date().timeIntervalSince(lastSave) > 60 { try save() }
        }
        try save()
        try CheckpointWriter.write(parameters: model.parameters, source: checkpoint, to: out)
        try log.finish()
        try inputs?.finish()
        try? FileManager.default.removeItem(at: stateFolder)
        return true
    }

    /// The sparse mask is rebuilt from the session at every start: a resumed run must find the mask it
    /// began with (the session may have gained seeds meanwhile). Its SHA-256 is kept in the state folder.
    private func checkSparseMaskUnchanged(_ mask: [UInt8]) throws {
        let url = stateFolder.appendingPathComponent("sparse-mask.sha256")
        let digest = mask.withUnsafeBytes { SHA256.hexDigest(Data($0)) }
        if let recorded = try? String(contentsOf: url, encoding: .utf8) {
            guard recorded == digest else {
                throw InputError(file: options.sparseMask?.session, "its mask for this run changed since the run began "
                                 + "(were runs added?); finish with the old mask elsewhere, or start a new --out")
            }
            return
        }
        try AtomicFile.write(Data(digest.utf8), to: url)
    }

    /// A new output folder, or the unfinished run of the same options in it; anything else is refused.
    private func prepareOutput() throws {
        let manager = FileManager.default
        let optionsURL = stateFolder.appendingPathComponent("options.json")
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: out.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw InputError(file: out.path, "--out exists and is not a folder") }
            if manager.fileExists(atPath: optionsURL.path) {
                let recorded: TrainMLMOptions
                do {
                    recorded = try JSONDecoder().decodeScreened(TrainMLMOptions.self, from: Data(contentsOf: optionsURL))
                } catch {
                    throw InputError(file: optionsURL.path, "unreadable training options: \(error)")
                }
                let differing = recorded.differences(from: options)
                guard differing.isEmpty else {
                    throw InputError(file: out.path, "holds an unfinished run with other \(differing.joined(separator: ", ")); "
                                     + "repeat its options to resume, or choose another --out")
                }
                return
            }
            if manager.fileExists(atPath: out.appendingPathComponent("model.safetensors").path) {
                throw InputError(file: out.path, "already holds a trained model; choose another --out")
            }
        }
        do {
            try manager.createDirectory(at: stateFolder, withIntermediateDirectories: true)
        } catch {
            throw InputError(file: out.path, "cannot create the output folder: \(error.localizedDescription)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(options), to: optionsURL)
    }

    static func jsonLine(_ entry: MaskedLMTrainer.StepLog) -> String {
        func number(_ value: Double?) -> String {
            guard let value, value.isFinite else { return "null" }
            return "\(value)"
        }
        return "{\"step\":\(entry.step),\"loss\":\(number(entry.loss)),\"lr\":\(number(entry.lr)),"
            + "\"grad_norm\":\(number(entry.gradNorm))}\n"
    }

    /// One line of `inputs.jsonl`: a sentence of step `step`'s batch as masked (−100: not predicted).
    public static func inputLine(step: Int, _ sentence: MaskedSequence) -> String {
        "{\"step\":\(step),\"input_ids\":[" + sentence.inputIds.map(String.init).joined(separator: ",")
            + "],\"labels\":[" + sentence.labels.map(String.init).joined(separator: ",") + "]}\n"
    }
}
