import Foundation

/// `session.json`: everything needed to reproduce a session's Fisher files and to notice when
/// its inputs changed. Versioned; an unknown newer version is refused rather than misread.
public struct SessionManifest: Codable, Equatable, Sendable {
    public static let formatName = "xsns-session"
    public static let currentVersion = 1

    public var format: String
    public var version: Int
    /// ISO 8601 UTC.
    public var created: String
    public var updated: String
    public var model: ModelRecord?
    public var tokenizer: FileFingerprint?
    public var corpora: CorporaRecord?
    public var options: ComputeOptions?
    /// One entry per (language, seed), sorted by language then seed.
    public var runs: [RunRecord]

    public init(created: Date = Date()) {
        format = Self.formatName
        version = Self.currentVersion
        self.created = Timestamp.string(created)
        updated = self.created
        runs = []
    }

    public func run(language: String, seed: Int) -> RunRecord? {
        runs.first { $0.language == language && $0.seed == seed }
    }

    /// Inserts or replaces the record of `record.language`/`record.seed`, keeping the order.
    public mutating func setRun(_ record: RunRecord) {
        runs.removeAll { $0.language == record.language && $0.seed == record.seed }
        runs.append(record)
        runs.sort { ($0.language, $0.seed) < ($1.language, $1.seed) }
    }

    /// Every language with at least one run, sorted.
    public var languages: [String] {
        Array(Set(runs.map(\.language))).sorted()
    }
}

/// The checkpoint a session was computed with.
public struct ModelRecord: Codable, Equatable, Sendable {
    /// As the user gave it (`xlm-roberta-base`, a path…).
    public var spec: String
    /// The folder it resolved to (a snapshot folder for a hub id).
    public var directory: String
    /// `config.json` and the weight files.
    public var files: [FileFingerprint]

    public init(spec: String, directory: String, files: [FileFingerprint]) {
        self.spec = spec
        self.directory = directory
        self.files = files
    }
}

/// The corpus folder and one file per language.
public struct CorporaRecord: Codable, Equatable, Sendable {
    public var directory: String
    /// Language code → its corpus file (`<lang>.txt` or `<lang>.conllu`).
    public var files: [String: FileFingerprint]

    public init(directory: String, files: [String: FileFingerprint]) {
        self.directory = directory
        self.files = files
    }
}

/// Every option of `xsns compute` that changes the Fisher values.
public struct ComputeOptions: Codable, Equatable, Sendable {
    public var sentences: Int
    public var seeds: [Int]
    /// `xsns` or `exact`.
    public var estimator: String
    public var batchSize: Int
    public var maxLength: Int
    public var maskProbability: Double
    public var recordInputs: Bool
    /// The thread count matters for bit-exact reproduction (summation order), so it is recorded.
    public var threads: Int
    /// false: no EMB baseline pass (`--no-emb`, about 16% less time); nil (older sessions) or true: computed.
    public var embBaseline: Bool?

    public var computesEmbedding: Bool { embBaseline ?? true }

    /// D of the per-sentence gradient sketches (`--sketch D`, TracIn influence); nil: none.
    public var sketch: Int?
    /// `random-head` (`--objective`): the Fisher of a random classification layer's loss; nil: masked-LM.
    public var objective: String?
    /// The random head's labels (`--num-labels`) and level (`--head-level token|sequence`).
    public var numLabels: Int?
    public var headLevel: String?
    /// The fields of `.jsonl`/`.tsv` corpora (`--text-field`, default `text`; `--pair-field`: sentence pairs).
    public var textField: String?
    public var pairField: String?

    public init(
        sentences: Int, seeds: [Int], estimator: String, batchSize: Int, maxLength: Int,
        maskProbability: Double, recordInputs: Bool, threads: Int
    ) {
        self.sentences = sentences
        self.seeds = seeds
        self.estimator = estimator
        self.batchSize = batchSize
        self.maxLength = maxLength
        self.maskProbability = maskProbability
        self.recordInputs = recordInputs
        self.threads = threads
    }
}

public enum RunStatus: String, Codable, Sendable {
    case pending, running, interrupted, done, failed
}

/// The state and counts of one (language, seed) computation.
public struct RunRecord: Codable, Equatable, Sendable {
    public var language: String
    public var seed: Int
    public var status: RunStatus
    /// Sentences processed so far (all of them once `done`).
    public var sentences: Int
    public var tokens: Int
    public var maskedTokens: Int
    /// Lines of the corpus that were not valid UTF-8 and were skipped.
    public var skippedInvalidLines: Int
    /// Relative to the session folder, e.g. `fisher/en.seed42.safetensors`, once written.
    public var fisher: String?
    public var startedAt: String?
    public var finishedAt: String?
    /// Who computed (or is computing) it.
    public var host: String?
    public var pid: Int32?
    /// Why it failed or was interrupted.
    public var message: String?
    /// Jaccard of the final sub-network (p = 0.15) with the one at about half as many sentences.
    public var stability: Double?

    public init(
        language: String, seed: Int, status: RunStatus = .pending, sentences: Int = 0, tokens: Int = 0,
        maskedTokens: Int = 0, skippedInvalidLines: Int = 0, fisher: String? = nil, startedAt: String? = nil,
        finishedAt: String? = nil, host: String? = nil, pid: Int32? = nil, message: String? = nil
    ) {
        self.language = language
        self.seed = seed
        self.status = status
        self.sentences = sentences
        self.tokens = tokens
        self.maskedTokens = maskedTokens
        self.skippedInvalidLines = skippedInvalidLines
        self.fisher = fisher
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.host = host
        self.pid = pid
        self.message = message
    }
}

/// ISO 8601 UTC timestamps with seconds, as every date in the session folder is written.
public enum Timestamp {
    public static func string(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
