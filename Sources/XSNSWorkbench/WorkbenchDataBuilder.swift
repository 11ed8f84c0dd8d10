import Foundation
import XSNSAnalysis
import XSNSSession
import XSNSStorage
import XSNSTUI

/// Measured transfer scores loaded with `:gold FILE`.
public struct GoldScores: Sendable {
    public let name: String
    /// Absolute, so that reopening finds it from any directory.
    public let path: String
    public let table: TransferTable

    public init(contentsOf url: URL) throws {
        name = url.lastPathComponent
        path = url.standardizedFileURL.path
        table = try TransferTable.load(url)
    }
}

/// Turns a session folder into everything the views show, at a p and for a metric. Not thread-safe:
/// the shell calls it from one serial queue. Every Fisher file is read once; a new p re-derives the
/// masks from the cached indexes, a new metric or selection reuses the masks as well.
public final class WorkbenchDataBuilder {
    public let session: URL
    /// Share of attention heads each language keeps in the Heads view.
    public let headFraction: Double
    private let fisher: FisherIndexCache
    private var languages: SessionLanguages
    private var masks: MaskResults?
    private var baselines: (generation: Int, lex: Baseline?, emb: Baseline?)?
    private var heads: (generation: Int, usage: HeadUsage, problems: [String])?
    private var influence: (generation: Int, value: InfluenceResult?)?
    private typealias InfluenceResult = (mean: Influence.Matrices, perSeed: [Int: Influence.Matrices])
    private var convergence: (key: String, points: [ConvergencePoint], problem: String?)?
    /// Above this many bytes of convergence files the pane is left to `xsns converge`: each p would re-read them.
    static let convergencePaneLimit = 1 << 30

    /// A baseline's mean matrix and its per-seed matrices (one for LEX, which has no seed).
    typealias Baseline = (mean: XSNSAnalysis.SimilarityMatrix, perSeed: [XSNSAnalysis.SimilarityMatrix])

    /// Everything derived from the masks at one p. Where the session's stored counts answer p, the
    /// overlaps and layer shares come from them and no mask is made until a pair's layers are asked for.
    struct MaskResults {
        let generation: Int
        let p: Double
        let collection: SubnetworkCollection
        var subnetworks: [String: [Int: Subnetwork]]
        let overlaps: PairwiseOverlaps
        let layerShares: [String: [Double]]
        var pairs: [LanguagePair: PairOverlap]
    }

    public init(session: URL, corpora: URL?, headFraction: Double = 0.5) {
        self.session = session
        self.headFraction = headFraction
        fisher = FisherIndexCache(session: session)
        languages = SessionLanguages(store: SessionStore(folder: session), corpora: corpora)
    }

    /// Fisher files read whole so far (to build their mask index).
    public var fisherLoads: Int { fisher.loads }

    /// Told (indexes opened, indexes to open, whether any had to be built from its Fisher file) while a
    /// build opens mask indexes (opening a session), from worker threads.
    public var onFisherProgress: (@Sendable (Int, Int, Bool) -> Void)? {
        get { fisher.onProgress }
        set { fisher.onProgress = newValue }
    }

    /// Told (runs done, runs, p) while a build derives the sub-networks at a new p, from worker threads.
    public var onMaskProgress: (@Sendable (Int, Int, Double) -> Void)?

    /// Files that were skipped during the last build, one line each.
    public private(set) var problems: [String] = []

    /// The views' data. `planned` are languages to list even before they have results; `computing`
    /// those a running job is working on; `pair` the pair whose per-layer overlap is wanted.
    public func build(
        planned: [String], p: Double, metric: Metric, pair: LanguagePair?, gold: GoldScores?,
        computing: Set<String> = []
    ) throws -> WorkbenchData {
        try AnalysisReports.validate(p: p)
        fisher.refresh()
        var data = WorkbenchData(languages: languages.infos(planned: planned, computing: computing))
        var problems = fisher.problems
        defer { self.problems = problems }
        guard let collection = try fisher.collection() else {
            data.probe = probeData(perSeed: [], problems: &problems)
            return data
        }

        let results = try maskResults(collection, p: p, pair: pair)
        let seeds = results.overlaps.seeds.count
        for maskMetric in MaskMetric.allCases {
            guard let shown = Metric(rawValue: maskMetric.rawValue) else { continue }
            data.matrices[shown] = AnalysisConversions.matrix(
                results.overlaps.matrices(metric: maskMetric).mean, metric: shown, p: p, seeds: seeds)
        }
        let (lex, emb) = baselineMatrices(collection, problems: &problems)
        if let lex { data.matrices[.lex] = AnalysisConversions.matrix(lex.mean, metric: .lex, p: p, seeds: 1) }
        if let emb {
            data.matrices[.emb] = AnalysisConversions.matrix(emb.mean, metric: .emb, p: p, seeds: emb.perSeed.count)
        }
        let influence = influenceMatrices(problems: &problems)
        if let influence {
            let seeds = influence.perSeed.count
            data.matrices[.influencePlus] = AnalysisConversions.matrix(influence.mean.positive, metric: .influencePlus, p: p, seeds: seeds)
            data.matrices[.influenceMinus] = AnalysisConversions.matrix(influence.mean.negative, metric: .influenceMinus, p: p, seeds: seeds)
        }
        data.layerShares = results.layerShares
        data.pairOverlaps = results.pairs
        let usage = headUsage(collection)
        problems += usage.problems
        data.headCounts = usage.usage.counts
        data.headMasks = usage.usage.masks
        data.headSource = usage.usage.pruned ? .pruned : .importance(fraction: headFraction)
        data.pruningCurves = usage.usage.curves
        let perSeed = perSeedMatrices(metric, results: results, lex: lex, emb: emb, influence: influence?.perSeed)
        if let gold {
            data.gold = evaluate(gold, perSeed: perSeed)
        }
        data.probe = probeData(perSeed: perSeed, problems: &problems)
        data.convergence = convergencePoints(p: p, gold: gold, problems: &problems)
        return data
    }

    // MARK: - Masks

    private func maskResults(_ collection: SubnetworkCollection, p: Double, pair: LanguagePair?) throws -> MaskResults {
        var results: MaskResults
        if let cached = masks, cached.generation == fisher.generation, cached.p == p {
            results = cached
        } else if let overlaps = collection.storedOverlaps(p: p), let shares = collection.storedLayerShares(p: p) {
            results = MaskResults(generation: fisher.generation, p: p, collection: collection, subnetworks: [:], overlaps: overlaps,
                                  layerShares: shares, pairs: [:])
        } else {
            var progress: (@Sendable (Int, Int) -> Void)?
            if let report = onMaskProgress { progress = { done, total in report(done, total, p) } }
            let subnetworks = try collection.subnetworks(p: p, progress: progress)
            results = MaskResults(
                generation: fisher.generation, p: p, collection: collection, subnetworks: subnetworks,
                overlaps: collection.storedOverlaps(p: p) ?? PairwiseOverlaps(languages: collection.languages, subnetworks: subnetworks),
                layerShares: collection.layout.map { Self.layerShares(subnetworks, map: ParameterMap($0)) } ?? [:],
                pairs: [:])
        }
        if let pair, pair.first != pair.second, results.pairs[pair] == nil {
            for language in [pair.first, pair.second] where results.subnetworks[language] == nil {
                results.subnetworks[language] = try collection.indexes[language]?.mapValues { try $0.subnetwork(p: p) }
            }
            if let view = Self.pairView(pair, subnetworks: results.subnetworks, layout: collection.layout) {
                results.pairs[pair] = AnalysisConversions.overlap(view)
            }
        }
        masks = results
        return results
    }

    /// Each language's share of its sub-network per layer, averaged over its seeds.
    private static func layerShares(_ subnetworks: [String: [Int: Subnetwork]], map: ParameterMap) -> [String: [Double]] {
        guard map.layerCount > 0 else { return [:] }
        var shares: [String: [Double]] = [:]
        for (language, seeds) in subnetworks where !seeds.isEmpty {
            // Seeds in ascending order, as the stored shares are averaged (`storedLayerShares`).
            let perSeed = seeds.keys.sorted().map { LayerViews.layerShare(seeds[$0]!, map: map) }
            shares[language] = (0..<map.layerCount).map { layer in
                perSeed.map { $0[layer] }.reduce(0, +) / Double(perSeed.count)
            }
        }
        return shares
    }

    /// The pair's per-layer and per-component Jaccard averaged over the seeds both languages have
    /// (as `xsns layers` computes it).
    private static func pairView(_ pair: LanguagePair, subnetworks: [String: [Int: Subnetwork]], layout: TensorLayout?)
        -> PairLayerView?
    {
        guard let layout, let a = subnetworks[pair.first], let b = subnetworks[pair.second] else { return nil }
        let map = ParameterMap(layout)
        let views = Set(a.keys).intersection(b.keys).sorted().compactMap { seed -> PairLayerView? in
            guard let x = a[seed], let y = b[seed] else { return nil }
            return LayerViews.pair(x, y, map: map)
        }
        return LayerViews.mean(views)
    }

    // MARK: - Baselines and heads (they do not depend on p)

    private func baselineMatrices(_ collection: SubnetworkCollection, problems: inout [String]) -> (Baseline?, Baseline?) {
        if let cached = baselines, cached.generation == fisher.generation { return (cached.lex, cached.emb) }
        var results: [Baseline?] = []
        for name in ["lex", "emb"] {
            do {
                let catalog = try FisherCatalog(session: session)
                results.append(try catalog.baseline(name))
            } catch {
                problems.append("\(name.uppercased()) baseline unavailable: \(error)")
                results.append(nil)
            }
        }
        baselines = (fisher.generation, results[0], results[1])
        return (results[0], results[1])
    }

    /// `compute --convergence` points at p (none without them), cached until the Fisher files, p or the
    /// gold change.
    private func convergencePoints(p: Double, gold: GoldScores?, problems: inout [String]) -> [ConvergencePoint] {
        let key = "\(fisher.generation) \(p) \(gold?.path ?? "")"
        if let cached = convergence, cached.key == key {
            if let problem = cached.problem { problems.append(problem) }
            return cached.points
        }
        var points: [ConvergencePoint] = [], problem: String?
        let folder = session.appendingPathComponent("convergence")
        if FileManager.default.fileExists(atPath: folder.path) {
            let bytes = (FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] ?? []).reduce(0) { sum, name in
                sum + ((try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.size] as? Int) ?? 0)
            }
            if bytes > Self.convergencePaneLimit {
                problem = "convergence pane skipped: \(bytes >> 30) GB of convergence files would be re-read at every p (use xsns converge)"
            } else {
                do {
                    points = try Convergence(session: session, p: p, gold: gold?.table).points.map {
                        ConvergencePoint(sentences: $0.sentences, jaccardToFinal: $0.jaccardToFinal, ndcg: $0.ndcg)
                    }
                } catch {
                    problem = "convergence unavailable: \(error)"
                }
            }
        }
        if let problem { problems.append(problem) }
        convergence = (key, points, problem)
        return points
    }

    /// Influence from the runs' sentence sketches, when the session keeps them (none: nil, no problem).
    private func influenceMatrices(problems: inout [String]) -> InfluenceResult? {
        if let cached = influence, cached.generation == fisher.generation { return cached.value }
        var result: InfluenceResult?
        let folder = session.appendingPathComponent("sketches")
        if (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.isEmpty == false {
            do {
                result = try Influence.matrices(catalog: try FisherCatalog(session: session))
            } catch {
                problems.append("influence unavailable: \(error)")
            }
        }
        influence = (fisher.generation, result)
        return result
    }

    private func headUsage(_ collection: SubnetworkCollection) -> (usage: HeadUsage, problems: [String]) {
        if let cached = heads, cached.generation == fisher.generation { return (cached.usage, cached.problems) }
        let seeds = collection.indexes.mapValues { $0.keys.sorted() }
        let paths = SessionPaths(folder: session)
        var pruned: HeadUsage?, problems: [String] = []
        do { pruned = try HeadUsage.loadPruned(paths: paths) } catch { problems.append("pruned heads unavailable: \(error)") }
        let (usage, more) = pruned.map { ($0, []) } ?? HeadUsage.load(paths: paths, seeds: seeds, fraction: headFraction)
        problems += more
        heads = (fisher.generation, usage, problems)
        return (usage, problems)
    }

    // MARK: - Gold

    /// The current metric's matrix of each seed (one for LEX).
    private func perSeedMatrices(_ metric: Metric, results: MaskResults, lex: Baseline?, emb: Baseline?,
                                 influence: [Int: Influence.Matrices]?) -> [XSNSAnalysis.SimilarityMatrix]
    {
        switch metric {
        case .jaccard, .cosine:
            let matrices = results.overlaps.matrices(metric: metric == .jaccard ? .jaccard : .cosine).perSeed
            return matrices.keys.sorted().compactMap { matrices[$0] }
        case .lex: return lex?.perSeed ?? []
        case .emb: return emb?.perSeed ?? []
        case .influencePlus, .influenceMinus:
            let perSeed = influence ?? [:]
            return perSeed.keys.sorted().map { metric == .influencePlus ? perSeed[$0]!.positive : perSeed[$0]!.negative }
        }
    }

    /// Per target, the metrics of the current metric's ranking, computed per seed and averaged over
    /// seeds (as `xsns eval` does).
    private func evaluate(_ gold: GoldScores, perSeed: [XSNSAnalysis.SimilarityMatrix]) -> GoldData {
        var data = AnalysisConversions.gold(gold.table, name: gold.name)
        let k = 3
        if let evaluation = try? TransferEvaluation.perSeed(perSeed, gold: gold.table, k: k) {
            for target in evaluation.targets {
                data.evaluations[target.target] = AnalysisConversions.evaluation(target, k: k)
            }
        }
        return data
    }
}
