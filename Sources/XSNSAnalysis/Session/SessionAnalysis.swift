import Foundation
import XSNSStorage

/// Similarities a user can choose: the two mask metrics over Fisher sub-networks, a stored baseline, the
/// two mask metrics over the pruned head sub-networks of `prune-heads` (one mask per language, so they
/// ignore p and have a single "seed"), or gradient influence.
public enum SimilarityChoice: String, CaseIterable, Sendable {
    case jaccard, cosine, lex, emb
    case headsJaccard = "heads-jaccard", headsCosine = "heads-cosine"
    /// Cross-language gradient influence from `compute --sketch` (`Influence`), top 100 sentences.
    case influencePlus = "influence+", influenceMinus = "influence-"

    public var maskMetric: MaskMetric? { MaskMetric(rawValue: rawValue) }

    /// The metric of a pruned-heads choice.
    var headMetric: MaskMetric? {
        switch self {
        case .headsJaccard: .jaccard
        case .headsCosine: .cosine
        default: nil
        }
    }
}

/// What the analysis commands share: a session's Fisher catalog and the matrices derived from it.
public struct SessionAnalysis: Sendable {
    public let catalog: FisherCatalog

    public init(session name: String, in directory: URL) throws {
        catalog = try FisherCatalog(session: FisherCatalog.sessionURL(name, in: directory))
    }

    /// The mean-over-seeds matrix and, for the mask metrics, the per-seed matrices (baselines have none).
    /// `seedAveraged` uses the mask of each language's seed-averaged Fisher instead.
    public func matrices(_ choice: SimilarityChoice, p: Double, languages: [String]? = nil, seedAveraged: Bool = false) throws
        -> (mean: SimilarityMatrix, perSeed: [SimilarityMatrix])
    {
        try AnalysisReports.validate(p: p)
        if let metric = choice.headMetric {
            let matrix = try prunedHeadMatrix(metric, languages: languages)
            return (matrix, [matrix])
        }
        if choice == .influencePlus || choice == .influenceMinus {
            let (mean, perSeed) = try Influence.matrices(catalog: catalog, languages: languages)
            let pick = { (matrices: Influence.Matrices) in choice == .influencePlus ? matrices.positive : matrices.negative }
            return (pick(mean), perSeed.keys.sorted().map { pick(perSeed[$0]!) })
        }
        guard let metric = choice.maskMetric else {
            return try catalog.baseline(choice.rawValue)
        }
        // Only counts are needed: at a grid p they come without a mask per run (`overlaps(p:)`).
        let collection = try catalog.collection(languages: languages ?? catalog.languages, seedAveraged: seedAveraged)
        guard collection.layout != nil else { throw InputError(file: catalog.session.path, "no Fisher vectors to analyse") }
        let (mean, perSeed) = try collection.overlaps(p: p).matrices(metric: metric)
        return (mean, perSeed.keys.sorted().compactMap { perSeed[$0] })
    }

    /// Metrics per seed, then averaged over seeds (as the X-SNS reference does), and the OLS fit of gold
    /// on the seed-mean similarity.
    public func evaluate(_ choice: SimilarityChoice, p: Double, gold: TransferTable, k: Int, lowerIsBetter: Bool) throws
        -> (TransferEvaluation, TransferRegression?)
    {
        let result = try evaluate(choice, p: p, golds: [gold], k: k, lowerIsBetter: lowerIsBetter)
        return (result.evaluation, result.regression)
    }

    /// Several gold tables (one per fine-tuning seed): every (Fisher seed × gold seed) pair is evaluated
    /// and the results averaged, as the X-SNS reference notebook does (not the metrics of averaged
    /// tables). The regression is of the mean similarity on the first gold table.
    public func evaluate(_ choice: SimilarityChoice, p: Double, golds: [TransferTable], k: Int, lowerIsBetter: Bool) throws
        -> (evaluation: TransferEvaluation, regression: TransferRegression?, perRun: TransferRegression.PerRun?)
    {
        guard let first = golds.first else { throw InputError("--gold names no file") }
        let (mean, perSeed) = try matrices(choice, p: p)
        let evaluations = try golds.map {
            try TransferEvaluation.perSeed(perSeed, gold: $0, k: k, lowerIsBetter: lowerIsBetter, file: catalog.session.path)
        }
        // Each gold's evaluation is already the mean over the same Fisher seeds: their mean is the mean
        // over all pairs.
        let evaluation = TransferEvaluation.averaged(evaluations)!
        let runs = golds.flatMap { gold in perSeed.map { (predictions: TransferTable(matrix: $0), gold: gold) } }
        return (evaluation, TransferRegression(predictions: TransferTable(matrix: mean), gold: first),
                TransferRegression.perRun(runs))
    }
}

extension SessionAnalysis {
    /// Similarity of the languages' pruned head masks (`pruning/<lang>.json`); a pair with a language not
    /// pruned yet has no value.
    func prunedHeadMatrix(_ metric: MaskMetric, languages: [String]?) throws -> SimilarityMatrix {
        let records = try HeadPruningRecord.all(session: catalog.session)
        guard !records.isEmpty else {
            throw InputError(file: catalog.session.path, "has no pruned heads: run xsns prune-heads first")
        }
        let codes = languages ?? catalog.languages
        let masks = records.mapValues(\.subnetwork)
        return SimilarityMatrix(languages: codes, values: codes.map { a in
            codes.map { b -> Double? in
                guard let x = masks[a], let y = masks[b] else { return nil }
                return metric.similarity(intersection: x.overlap(y), sizeA: x.count, sizeB: y.count)
            }
        })
    }

    /// Per-layer and per-component Jaccard of a pair and each language's share per layer, all averaged over
    /// the seeds both languages have.
    public func layers(_ a: String, _ b: String, p: Double) throws
        -> (view: PairLayerView, shares: (a: [Double], b: [Double]))
    {
        try AnalysisReports.validate(p: p)
        let masks = try SessionMasks(catalog: catalog, p: p, languages: a == b ? [a] : [a, b])
        let map = ParameterMap(masks.layout)
        guard map.layerCount > 0 else {
            throw InputError("the Fisher files name no encoder.layer.N tensors, so there are no layers to show")
        }
        let subnetworks = masks.subnetworks
        let seeds = Set(subnetworks[a]?.keys ?? [:].keys).intersection(subnetworks[b]?.keys ?? [:].keys).sorted()
        guard !seeds.isEmpty else { throw InputError("\(a) and \(b) have no seed in common") }
        let views = seeds.map { LayerViews.pair(subnetworks[a]![$0]!, subnetworks[b]![$0]!, map: map) }
        func share(_ language: String) -> [Double] {
            let perSeed = seeds.map { LayerViews.layerShare(subnetworks[language]![$0]!, map: map) }
            return (0..<map.layerCount).map { layer in perSeed.map { $0[layer] }.reduce(0, +) / Double(perSeed.count) }
        }
        return (LayerViews.mean(views)!, (share(a), share(b)))
    }
}
