import Foundation
import XSNSAnalysis
import XSNSCompute
import XSNSEngine
import XSNSSession
import XSNSStorage

extension PruneHeadsJob {
    /// What pruning and composing need of a session: its model (loaded once, with the SHA-256 that ties a
    /// record to it), its corpora, and the held-out evaluation batches of a language.
    struct Context {
        let manifest: SessionManifest
        let loaded: ModelWithTokenizer
        let model: EncoderModel
        let modelDigest: String
        private let corpora: CorporaRecord
        private let computed: ComputeOptions

        init(session: URL, threads: Int) throws {
            manifest = try SessionStore.open(folder: session).load()
            guard let modelRecord = manifest.model, let corpora = manifest.corpora, let computed = manifest.options else {
                throw InputError(file: session.path, "has no computed run: run xsns compute first (pruning uses its model and corpora)")
            }
            self.corpora = corpora
            self.computed = computed
            loaded = try ModelWithTokenizer(spec: modelRecord.spec)
            modelDigest = try DigestCache.hexDigest(ofFilesAt: loaded.files.weights)
            BLASThreads.set(threads)
            model = EncoderModel(parameters: try EncoderParameters(checkpoint: loaded.checkpoint), threads: threads)
        }

        func corpusURL(_ language: String) throws -> URL {
            guard let file = corpora.files[language] else {
                throw InputError(file: corpora.directory,
                                 "the session has no corpus for '\(language)' (languages: \(corpora.files.keys.sorted().joined(separator: ", ")))")
            }
            return URL(fileURLWithPath: corpora.directory).appendingPathComponent(file.file)
        }

        /// Up to `sentences` lines no Fisher run of the session used, drawn with the seed, masked once.
        func evaluationBatches(_ corpus: Corpus, corpusURL: URL, settings: HeadPruningSettings,
                               note: (String) -> Void = { _ in }) throws -> [[MaskedSequence]] {
            let seeds = settings.fisherSeeds ?? computed.seeds, count = settings.fisherSentences ?? computed.sentences
            let used = Set(seeds.flatMap { corpus.sampleIndices(count: count, seed: UInt64($0)) })
            var candidates = corpus.lines.indices.filter { !used.contains($0) }
            guard !candidates.isEmpty else {
                throw InputError(file: corpusURL.path, "every line went into the session's Fisher runs: none is left to judge pruning by")
            }
            var random = SeededRandom(seed: UInt64(settings.seed) ^ 0x9E37_79B9_7F4A_7C15)
            let take = min(settings.sentences, candidates.count)
            for position in 0..<take {
                candidates.swapAt(position, position + random.nextInt(below: candidates.count - position))
            }
            if take < settings.sentences {
                note("\(corpus.language): only \(take) held-out sentences (asked for \(settings.sentences))")
            }
            var masking = SeededRandom(seed: UInt64(settings.seed))
            let policy = loaded.masking(probability: settings.maskProbability)
            let sequences = candidates.prefix(take).map { index in
                let (ids, types) = corpus.encodeWithTypes(index, tokenizer: loaded.tokenizer, maxLength: settings.maxLength)
                var masked = policy.mask(ids, random: &masking)
                masked.typeIds = types
                return masked
            }
            let batches = XSNSPruning.batches(of: sequences, size: settings.batchSize)
            guard batches.contains(where: { $0.contains { $0.predictedCount > 0 } }) else {
                throw InputError(file: corpusURL.path, "no token of the held-out sentences was masked: nothing to judge pruning by")
            }
            return batches
        }

        /// The session's Fisher runs now: whose sentences a new pruning holds out.
        var fisherRuns: (seeds: [Int], sentences: Int) { (computed.seeds, computed.sentences) }

        /// Masked-token accuracy on `language`'s held-out sentences; the settings gain the corpus's SHA-256.
        func mlmEvaluator(_ language: String, settings: HeadPruningSettings, note: (String) -> Void)
            throws -> (HeadPruningSettings, PruneHeadsJob.Evaluator)
        {
            let url = try corpusURL(language)
            var settings = settings
            settings.corpus = try DigestCache.hexDigest(ofFileAt: url)
            let batches = try evaluationBatches(try Corpus.load(url, fields: computed.corpusFields), corpusURL: url, settings: settings, note: note)
            let model = self.model
            return (settings, PruneHeadsJob.Evaluator(batches: batches.count) { mask, progress in
                try model.evaluateHeads(batches, mask: mask, progress: progress)
            })
        }

        /// A pruned language's evaluation batches, from its record's settings (the model must be the same).
        func evaluationBatches(of record: HeadPruningRecord, file: URL) throws -> [[MaskedSequence]] {
            guard record.settings.model == modelDigest else {
                throw InputError(file: file.path, "was pruned with another model than the session's current one")
            }
            let corpus = try corpusURL(record.language)
            if record.settings.objective == "mlm", try DigestCache.hexDigest(ofFileAt: corpus) != record.settings.corpus {
                throw InputError(file: file.path, "was pruned on another version of \(corpus.path)")
            }
            return try evaluationBatches(try Corpus.load(corpus, fields: computed.corpusFields), corpusURL: corpus, settings: record.settings)
        }
    }
}

/// Two languages' pruned sub-networks composed (Choenni et al.): each mask, their union and intersection,
/// with the masked-LM accuracy of each on both languages' held-out sentences.
public struct HeadComposition: Sendable {
    public struct Row: Sendable {
        public var name: String
        public var heads: Int
        /// Accuracy on the first language's sentences, then the second's.
        public var accuracy: (Double, Double)
    }

    public var languages: (String, String)
    public var rows: [Row]

    public static func evaluate(session: URL, _ a: String, _ b: String, threads: Int) throws -> HeadComposition {
        let context = try PruneHeadsJob.Context(session: session, threads: max(1, threads))
        let files = [a, b].map { HeadPruningRecord.url(session: session, language: $0) }
        let records = try files.map { file -> HeadPruningRecord in
            guard FileManager.default.fileExists(atPath: file.path) else {
                throw InputError(file: file.path, "does not exist: prune-heads has not pruned this language")
            }
            let record = try HeadPruningRecord.load(file)
            guard record.finished else { throw InputError(file: file.path, "is not finished: run xsns prune-heads again first") }
            return record
        }
        let batches = try zip(records, files).map { try context.evaluationBatches(of: $0, file: $1) }
        let (x, y) = (records[0].subnetwork, records[1].subnetwork)
        let masks = [(a, x), (b, y), ("\(a) ∪ \(b)", x.union(y)), ("\(a) ∩ \(b)", x.intersection(y))]
        let rows = try masks.map { name, mask -> Row in
            let flat = mask.used.flatMap { $0 }
            let scores = try batches.map { try context.model.evaluateHeads($0, mask: flat).accuracy }
            return Row(name: name, heads: mask.count, accuracy: (scores[0], scores[1]))
        }
        return HeadComposition(languages: (a, b), rows: rows)
    }
}
