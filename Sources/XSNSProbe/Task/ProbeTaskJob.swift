import Foundation
import XSNSCompute
import XSNSEngine
import XSNSSession
import XSNSStorage
import XSNSTraining

/// `xsns probe-task`: trains the probe's task adapter (bottleneck adapters in every layer, `seq_bn`)
/// and a tagging head on part-of-speech tagging, the base model frozen, on the union of the train and
/// dev treebanks of some languages; a share is held out to report validation accuracy after each epoch.
/// As the official code's Trainer: AdamW, linear decay to 0, gradient norm clipped at 1, dropout on.
///
/// Everything is kept in memory until the end and then written into `probe/task/`, config.json last
/// (and removed first): a stopped run writes nothing, a failure while writing leaves no config.json, so
/// no task that `probe` would use. A session whose probe already has runs keeps its task: their Δ were
/// measured with it.
public final class ProbeTaskJob {
    public enum Event: Sendable {
        case note(String)
        case step(MaskedLMTrainer.StepLog, total: Int, seconds: Double)
        case epoch(Int, validationAccuracy: Double?)
    }

    public let options: ProbeTaskOptions
    public let paths: ProbePaths
    public let threads: Int
    private let stop: StopSignal
    private let emit: @Sendable (Event) -> Void

    public init(options: ProbeTaskOptions, session: URL, threads: Int, stop: StopSignal = StopSignal(),
                events: @escaping @Sendable (Event) -> Void = { _ in }) {
        self.options = options
        paths = ProbePaths(session: session)
        self.threads = max(1, threads)
        self.stop = stop
        emit = events
    }

    /// Trains and writes the task; returns false when stopped (nothing written).
    @discardableResult
    public func run() throws -> Bool {
        try options.validate()
        let runs = (try? FileManager.default.contentsOfDirectory(atPath: paths.runsFolder.path)) ?? []
        if runs.contains(where: { $0.hasSuffix(".json") && $0 != "options.json" }) {
            throw InputError(file: paths.runsFolder.path, "holds transfer runs measured with the current task adapter; "
                             + "move probe/ away (or use another session) to train a new one")
        }
        let loaded = try ModelWithTokenizer(spec: options.model)
        let folder = try TreebankFolder(directory: URL(fileURLWithPath: options.treebanks))
        let languages = options.languages.isEmpty ? folder.languages(with: [.train, .dev]) : options.languages
        guard !languages.isEmpty else {
            throw InputError(file: options.treebanks, "has no train or dev treebank (<lang>*train*.conllu, <lang>*dev*.conllu)")
        }
        let maxLength = min(options.maxLength, loaded.positionLimit)
        var sequences: [MaskedSequence] = []
        var labelled: [LabelledSentence] = []
        for language in languages {
            for sentence in try folder.sentences(language, [.train, .dev]) {
                let encoded = LabelledSentence(sentence, tokenizer: loaded.tokenizer, maxLength: maxLength)
                guard !encoded.positions.isEmpty else { continue }
                sequences.append(try encoded.trainingSequence(of: sentence))
                labelled.append(encoded)
            }
        }
        guard sequences.count >= 2 else {
            throw InputError(file: options.treebanks, "the treebanks of \(languages.joined(separator: ",")) have fewer than 2 usable sentences")
        }
        // Seeded shuffle, then the first share is held out.
        var random = SeededRandom(seed: options.seed ^ 0x7E57_5E7)
        var order = Array(sequences.indices)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, random.nextInt(below: i + 1)) }
        let held = max(1, Int((Double(order.count) * options.validationShare).rounded()))
        let validation = order.prefix(held).map { labelled[$0] }
        let training = order.dropFirst(held).map { sequences[$0] }
        emit(.note("\(training.count) training and \(validation.count) validation sentences from \(languages.joined(separator: ","))"))

        BLASThreads.set(threads)
        let adapter = AdapterSpec(name: TaskModel.adapterName, reduction: options.reduction, seed: options.seed)
        let model = EncoderModel(parameters: try EncoderParameters(checkpoint: loaded.checkpoint, adapter: adapter),
                                 threads: threads)
        let head = TokenClassificationHead(labels: PartOfSpeechTags.labels.count,
                                           hidden: loaded.checkpoint.config.hiddenSize, seed: options.seed)
        let stepsPerEpoch = (training.count + options.batchSize - 1) / options.batchSize
        let total = options.epochs * stepsPerEpoch
        let trainer = TaggingTrainer(
            model: model, head: head,
            settings: .init(scope: .adapters, schedule: LinearSchedule(peak: options.learningRate, warmupSteps: 0, totalSteps: total),
                            optimizer: AdamW.Settings(weightDecay: 0), clipNorm: 1),
            seed: options.seed)

        var log = ""
        var validationAccuracy: [Double] = []
        let started = Date()
        for epoch in 1...options.epochs {
            var epochRandom = SeededRandom(seed: options.seed &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(epoch))
            var epochOrder = Array(training.indices)
            for i in stride(from: epochOrder.count - 1, to: 0, by: -1) {
                epochOrder.swapAt(i, epochRandom.nextInt(below: i + 1))
            }
            for start in stride(from: 0, to: epochOrder.count, by: options.batchSize) {
                if stop.isStopped { return false }
                let batch = epochOrder[start..<min(start + options.batchSize, epochOrder.count)].map { training[$0] }
                let entry = try trainer.step(batch)
                log += Self.jsonLine(entry, epoch: epoch)
                emit(.step(entry, total: total, seconds: Date().timeIntervalSince(started)))
            }
            let accuracy = try TaggingAccuracy(sentences: validation, model: model, head: head).accuracy
            validationAccuracy.append(accuracy)
            emit(.epoch(epoch, validationAccuracy: accuracy))
        }

        try FileManager.default.createDirectory(at: paths.taskFolder, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: paths.taskConfig)
        // The unchanged model's accuracies belong to the task that is being replaced.
        try? FileManager.default.removeItem(at: paths.original)
        try SafeTensorsWriter.write(TaskModel.taskTensors(parameters: model.parameters, head: head),
                                    metadata: ["format": "xsns-probe-task", "model": options.model], to: paths.taskWeights)
        try AtomicFile.write(Data(log.utf8), to: paths.taskLog)
        let record = ProbeTaskRecord(options: options, labels: PartOfSpeechTags.labels, trainSentences: training.count,
                                     validationSentences: validation.count, steps: total,
                                     validationAccuracy: validationAccuracy)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(record), to: paths.taskConfig)
        return true
    }

    static func jsonLine(_ entry: MaskedLMTrainer.StepLog, epoch: Int) -> String {
        let loss = entry.loss.map { "\($0)" } ?? "null"
        return "{\"step\":\(entry.step),\"epoch\":\(epoch),\"loss\":\(loss),\"lr\":\(entry.lr),\"grad_norm\":\(entry.gradNorm)}\n"
    }
}
