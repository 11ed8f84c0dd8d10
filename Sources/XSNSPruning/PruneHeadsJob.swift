import Foundation
import XSNSAnalysis
import XSNSCompute
import XSNSEngine
import XSNSSession
import XSNSStorage

/// `xsns prune-heads`: each language's head sub-network by iterative pruning (`HeadPruning`) of the
/// session's model, judged by masked-token accuracy on sentences of the language's corpus that none of the
/// session's Fisher runs used (masked once, deterministically from the seed), or by the probe task's
/// tagging accuracy on the language's dev treebank (`TaskObjective`). Writes
/// `pruning/<lang>.json` after every step: a stopped run resumes at its last step, a finished language is
/// not redone, a record made with other settings is refused. The context (model, corpora, evaluation
/// sentences) is in PruningContext.swift.
public final class PruneHeadsJob {
    public enum Objective: String, Sendable, CaseIterable {
        /// Masked-token accuracy on held-out sentences of the language's corpus.
        case mlm
        /// The probe's POS-tagging accuracy (`probe/task`, adapter on) on the language's dev treebank.
        case task
    }

    public struct Options: Sendable {
        public var languages: [String]?
        public var objective = Objective.mlm
        /// The folder of `<lang>*dev*.conllu` treebanks (`--objective task`).
        public var treebanks: String?
        public var keep = 0.95
        public var step = 0.1
        public var normalise = true
        public var sentences = 256
        public var maskProbability = 0.15
        public var batchSize = 8
        public var maxLength = 128
        public var seed = 1
        public init() {}

        func validate() throws {
            guard keep > 0, keep <= 1 else { throw InputError("--keep must be in (0, 1], got \(keep)") }
            guard step > 0, step < 1 else { throw InputError("--step must be in (0, 1), got \(step)") }
            guard sentences > 0 else { throw InputError("--sentences must be positive, got \(sentences)") }
            guard maskProbability > 0, maskProbability <= 1 else {
                throw InputError("--mask-prob must be in (0, 1], got \(maskProbability)")
            }
            guard batchSize > 0 else { throw InputError("--batch-size must be positive, got \(batchSize)") }
            guard maxLength >= 3 else { throw InputError("--max-length must be at least 3, got \(maxLength)") }
            guard (objective == .task) == (treebanks != nil) else {
                throw InputError(objective == .task ? "--objective task needs --treebanks DIR (the dev treebanks)"
                                 : "--treebanks only goes with --objective task")
            }
        }
    }

    public enum Event: Sendable {
        case note(String)
        case languageStarted(String, index: Int, total: Int, heads: Int)
        case evaluating(String, step: Int, batch: Int, of: Int)
        case stepFinished(String, HeadPruningStep, index: Int)
        case languageFinished(HeadPruningRecord)
    }

    public let options: Options
    public let session: URL
    public let threads: Int
    private let stop: StopSignal
    private let emit: @Sendable (Event) -> Void

    public init(options: Options, session: URL, threads: Int, stop: StopSignal = StopSignal(),
                events: @escaping @Sendable (Event) -> Void = { _ in }) {
        self.options = options
        self.session = session
        self.threads = max(1, threads)
        self.stop = stop
        emit = events
    }

    /// Prunes every language still to do; false when stopped (finished steps are kept).
    @discardableResult
    public func run() throws -> Bool {
        try options.validate()
        let context = try Context(session: session, threads: threads)
        let task = try options.treebanks.map { try TaskObjective(session: session, treebanks: URL(fileURLWithPath: $0),
                                                                 context: context, threads: threads) }
        let languages = options.languages ?? context.manifest.languages
        for language in languages {
            if let task { _ = try task.files(language) } else { _ = try context.corpusURL(language) }
        }
        let config = context.loaded.checkpoint.config
        let folder = session.appendingPathComponent("pruning")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

        for (index, language) in languages.enumerated() {
            var settings = HeadPruningSettings(
                keep: options.keep, step: options.step, normalise: options.normalise, objective: options.objective.rawValue,
                sentences: options.sentences, maskProbability: options.maskProbability, batchSize: options.batchSize,
                maxLength: min(options.maxLength, context.loaded.positionLimit), seed: options.seed,
                model: context.modelDigest, corpus: "")
            let url = HeadPruningRecord.url(session: session, language: language)
            let existing = FileManager.default.fileExists(atPath: url.path) ? try HeadPruningRecord.load(url) : nil
            if options.objective == .mlm {
                // A resumed pruning keeps the held-out sentences it began with, whatever seeds came since.
                settings.fisherSeeds = existing?.settings.fisherSeeds ?? context.fisherRuns.seeds
                settings.fisherSentences = existing?.settings.fisherSentences ?? context.fisherRuns.sentences
            }
            let evaluator: Evaluator
            if let task {
                (settings, evaluator) = try task.evaluator(language, settings: settings)
            } else {
                (settings, evaluator) = try context.mlmEvaluator(language, settings: settings) { self.emit(.note($0)) }
            }
            var record = HeadPruningRecord(language: language, settings: settings, layers: config.numLayers,
                                           heads: config.numHeads)
            if let existing {
                guard existing.settings == settings, existing.layers == record.layers, existing.heads == record.heads else {
                    throw InputError(file: url.path, "was pruned with other settings, model or data: delete it to prune '\(language)' again")
                }
                record = existing
            }
            emit(.languageStarted(language, index: index, total: languages.count, heads: record.layers * record.heads))
            if record.finished {
                emit(.languageFinished(record))
                continue
            }
            var reported = record.steps.count
            let finished = try HeadPruning.run(&record, evaluate: { mask in
                try evaluator.evaluate(mask) { done in
                    self.emit(.evaluating(language, step: reported, batch: done, of: evaluator.batches))
                }
            }, saved: { saved in
                try Self.write(saved, to: url)
                while reported < saved.steps.count {
                    self.emit(.stepFinished(language, saved.steps[reported], index: reported))
                    reported += 1
                }
            }, shouldStop: { stop.isStopped })
            guard finished else { return false }
            emit(.languageFinished(record))
        }
        return true
    }

    /// One language's evaluation at a head mask, batch by batch.
    struct Evaluator {
        let batches: Int
        let evaluate: ([Bool], (Int) -> Void) throws -> HeadEvaluation
    }

    static func write(_ record: HeadPruningRecord, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(record), to: url)
    }
}
