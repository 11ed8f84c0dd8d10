/// Everything the views show, as plain values. The app shell fills it from the analysis and
/// session modules and sends a fresh copy (`EngineEvent.dataUpdated`) whenever p, the metric
/// or the computed Fisher information changes; the TUI never computes analysis results itself.
public struct WorkbenchData: Sendable, Equatable {
    public var languages: [LanguageInfo]
    /// Similarity matrices by metric, each computed at its own p (lex/emb ignore p).
    public var matrices: [Metric: SimilarityMatrix]
    /// Gold transfer scores when a gold file is loaded.
    public var gold: GoldData?
    /// Per-layer and per-component overlaps for pairs of languages.
    public var pairOverlaps: [LanguagePair: PairOverlap]
    /// For each language, the fraction of each layer's parameters in its sub-network.
    public var layerShares: [String: [Double]]
    /// Layers × heads: how many languages keep each attention head.
    public var headCounts: [[Int]]
    /// Per-language head masks (layers × heads).
    public var headMasks: [String: [[Bool]]]
    /// Where the head masks come from.
    public var headSource: HeadSource
    /// Per-language pruning curves (`xsns prune-heads`), when the masks are pruned ones.
    public var pruningCurves: [String: [PruningPoint]]
    /// The session's transfer probe, when it has one.
    public var probe: ProbeData?
    /// How the sub-networks settle with more sentences (`compute --convergence`), at the current p.
    public var convergence: [ConvergencePoint] = []

    public init(
        languages: [LanguageInfo] = [], matrices: [Metric: SimilarityMatrix] = [:], gold: GoldData? = nil,
        pairOverlaps: [LanguagePair: PairOverlap] = [:], layerShares: [String: [Double]] = [:],
        headCounts: [[Int]] = [], headMasks: [String: [[Bool]]] = [:], headSource: HeadSource = .importance(fraction: 0.5),
        pruningCurves: [String: [PruningPoint]] = [:], probe: ProbeData? = nil
    ) {
        self.languages = languages
        self.matrices = matrices
        self.gold = gold
        self.pairOverlaps = pairOverlaps
        self.layerShares = layerShares
        self.headCounts = headCounts
        self.headMasks = headMasks
        self.headSource = headSource
        self.pruningCurves = pruningCurves
        self.probe = probe
    }

    public func language(_ code: String) -> LanguageInfo? {
        languages.first { $0.code == code }
    }
}

/// One sentence count of `compute --convergence` (nil: the finished runs): the runs' mean Jaccard with
/// their final masks and, with gold, the seed-mean NDCG@3 of the rankings at that count.
public struct ConvergencePoint: Sendable, Equatable {
    public var sentences: Int?
    public var jaccardToFinal: Double
    public var ndcg: Double?

    public init(sentences: Int?, jaccardToFinal: Double, ndcg: Double?) {
        self.sentences = sentences
        self.jaccardToFinal = jaccardToFinal
        self.ndcg = ndcg
    }
}

/// How each language's head mask was chosen.
public enum HeadSource: Sendable, Equatable {
    /// The top fraction of heads by importance E|∂L/∂ξ_h|.
    case importance(fraction: Double)
    /// Iterative pruning (`xsns prune-heads`).
    case pruned
}

/// One step of a language's head pruning.
public struct PruningPoint: Sendable, Equatable {
    public var heads: Int
    public var accuracy: Double
    /// Whether the step stayed within --keep of the unpruned accuracy.
    public var accepted: Bool

    public init(heads: Int, accuracy: Double, accepted: Bool) {
        self.heads = heads
        self.accuracy = accuracy
        self.accepted = accepted
    }
}

/// The similarity measures the heatmap and ranking can show.
public enum Metric: String, CaseIterable, Sendable, Hashable {
    case jaccard, cosine, lex, emb
    /// Gradient influence of the source (column) on the target (row), from sentence sketches.
    case influencePlus = "influence+", influenceMinus = "influence-"

    /// Whether the metric depends on p (sub-network metrics do, the baselines and influence do not).
    public var dependsOnP: Bool { self == .jaccard || self == .cosine }

    /// Only there when the session has what they need (`compute --sketch`): the cycle skips them otherwise.
    public var isOptional: Bool { self == .influencePlus || self == .influenceMinus }

    /// The next metric in the cycle among those always offered and the optional ones `available` has.
    public func next(available: Set<Metric>) -> Metric {
        let all = Metric.allCases
        var index = all.firstIndex(of: self) ?? 0
        repeat {
            index = (index + 1) % all.count
        } while all[index].isOptional && !available.contains(all[index]) && all[index] != self
        return all[index]
    }
}

/// One language's corpus and computation status.
public struct LanguageInfo: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        /// `queued`: waiting in a cluster queue (Slurm) for this session's job.
        case pending, queued, running, paused, done, failed
    }

    public var code: String
    /// Display name (may be in its own script, e.g. 日本語).
    public var name: String
    /// Sentences (lines) in the corpus file.
    public var corpusSentences: Int
    public var status: Status
    public var seeds: [SeedProgress]
    /// Jaccard between the current mask and the mask at half as many sentences, once known.
    public var stability: Double?
    public var failure: String?
    /// Where it is computed when not by this workbench: a Slurm task or another process ("on node7 …").
    public var elsewhere: String?

    public init(
        code: String, name: String, corpusSentences: Int, status: Status = .pending, seeds: [SeedProgress] = [],
        stability: Double? = nil, failure: String? = nil, elsewhere: String? = nil
    ) {
        self.code = code
        self.name = name
        self.corpusSentences = corpusSentences
        self.status = status
        self.seeds = seeds
        self.stability = stability
        self.failure = failure
        self.elsewhere = elsewhere
    }
}

/// Live progress of one (language, seed) Fisher computation.
public struct SeedProgress: Sendable, Equatable {
    public var seed: Int
    public var sentencesDone: Int
    public var sentencesTotal: Int
    public var sentencesPerSecond: Double

    public init(seed: Int, sentencesDone: Int = 0, sentencesTotal: Int, sentencesPerSecond: Double = 0) {
        self.seed = seed
        self.sentencesDone = sentencesDone
        self.sentencesTotal = sentencesTotal
        self.sentencesPerSecond = sentencesPerSecond
    }

    public var fraction: Double {
        sentencesTotal > 0 ? min(1, Double(sentencesDone) / Double(sentencesTotal)) : 0
    }

    /// Seconds left at the current rate, nil while the rate is unknown.
    public var etaSeconds: Double? {
        guard sentencesPerSecond > 0, sentencesDone < sentencesTotal else { return nil }
        return Double(sentencesTotal - sentencesDone) / sentencesPerSecond
    }
}

/// A square matrix over `languages` (mean over seeds), for one metric at one p.
public struct SimilarityMatrix: Sendable, Equatable {
    public var metric: Metric
    public var p: Double
    public var languages: [String]
    public var values: [[Double]]
    /// Number of seeds averaged into `values`.
    public var seeds: Int

    public init(metric: Metric, p: Double, languages: [String], values: [[Double]], seeds: Int = 1) {
        self.metric = metric
        self.p = p
        self.languages = languages
        self.values = values
        self.seeds = seeds
    }

    /// The value for a pair, nil when either language is missing (or the row is short).
    public func value(_ row: String, _ column: String) -> Double? {
        guard let i = languages.firstIndex(of: row), let j = languages.firstIndex(of: column),
            i < values.count, j < values[i].count
        else { return nil }
        return values[i][j]
    }
}

/// Measured transfer scores and the per-target evaluation of the current prediction.
public struct GoldData: Sendable, Equatable {
    /// Name of the loaded file, for display.
    public var source: String
    /// target → source → gold score.
    public var scores: [String: [String: Double]]
    /// target → evaluation of the current metric's ranking.
    public var evaluations: [String: TargetEvaluation]

    public init(source: String, scores: [String: [String: Double]], evaluations: [String: TargetEvaluation] = [:]) {
        self.source = source
        self.scores = scores
        self.evaluations = evaluations
    }

    /// 1-based rank of `source` among the target's gold scores (best = 1), nil when unknown.
    public func rank(of source: String, target: String) -> Int? {
        guard let row = scores[target], let own = row[source] else { return nil }
        return 1 + row.filter { $0.key != target && $0.value > own }.count
    }
}

/// NDCG@k, Top-1, Pearson and Spearman for one target (nil where undefined).
public struct TargetEvaluation: Sendable, Equatable {
    public var k: Int
    public var ndcg: Double?
    public var top1: Bool?
    public var pearson: Double?
    public var spearman: Double?

    public init(k: Int = 3, ndcg: Double?, top1: Bool?, pearson: Double?, spearman: Double?) {
        self.k = k
        self.ndcg = ndcg
        self.top1 = top1
        self.pearson = pearson
        self.spearman = spearman
    }
}

/// An unordered pair of language codes.
public struct LanguagePair: Hashable, Sendable {
    public let first: String
    public let second: String

    public init(_ a: String, _ b: String) {
        if a <= b {
            first = a
            second = b
        } else {
            first = b
            second = a
        }
    }
}

/// Where two sub-networks overlap: Jaccard per layer and per component type (query, key, …).
public struct PairOverlap: Sendable, Equatable {
    public var perLayer: [Double]
    public var perComponent: [(name: String, value: Double)]

    public init(perLayer: [Double], perComponent: [(name: String, value: Double)]) {
        self.perLayer = perLayer
        self.perComponent = perComponent
    }

    public static func == (lhs: PairOverlap, rhs: PairOverlap) -> Bool {
        lhs.perLayer == rhs.perLayer && lhs.perComponent.map(\.name) == rhs.perComponent.map(\.name)
            && lhs.perComponent.map(\.value) == rhs.perComponent.map(\.value)
    }
}
