import XSNSStorage

extension SessionAnalysis {
    /// Choenni et al. find that layer-specific sub-network similarity goes with positive influence: for each
    /// layer, the Pearson and Spearman correlation, across ordered pairs (t, s) with an influence+ value,
    /// between the pair's Jaccard restricted to that layer at p (mean over the seeds both have) and
    /// influence+(s → t).
    public func influenceByLayer(p: Double, influence: SimilarityMatrix) throws
        -> [(layer: Int, pearson: Double?, spearman: Double?, pairs: Int)]
    {
        try AnalysisReports.validate(p: p)
        let masks = try SessionMasks(catalog: catalog, p: p, languages: influence.languages)
        let map = ParameterMap(masks.layout)
        var jaccard: [LanguagePairKey: [Double?]] = [:]
        var x = [[Double]](repeating: [], count: map.layerCount), y = [[Double]](repeating: [], count: map.layerCount)
        for target in influence.languages {
            for source in influence.languages where source != target {
                guard let value = influence[target, source] else { continue }
                let key = LanguagePairKey(target, source)
                if jaccard[key] == nil { jaccard[key] = layerJaccard(masks, target, source, map: map) }
                for (layer, share) in (jaccard[key] ?? []).enumerated() {
                    guard let share else { continue }
                    x[layer].append(share)
                    y[layer].append(value)
                }
            }
        }
        return (0..<map.layerCount).map { layer in
            (layer, RankingMetrics.pearson(x[layer], y[layer]), RankingMetrics.spearman(x[layer], y[layer]), x[layer].count)
        }
    }

    private func layerJaccard(_ masks: SessionMasks, _ a: String, _ b: String, map: ParameterMap) -> [Double?] {
        let seeds = Set(masks.subnetworks[a]?.keys ?? [:].keys).intersection(masks.subnetworks[b]?.keys ?? [:].keys).sorted()
        guard !seeds.isEmpty else { return [] }
        let views = seeds.map { LayerViews.pair(masks.subnetworks[a]![$0]!, masks.subnetworks[b]![$0]!, map: map).layers }
        return (0..<map.layerCount).map { layer in
            let present = views.compactMap { $0[layer] }
            return present.isEmpty ? nil : present.reduce(0, +) / Double(present.count)
        }
    }
}

/// An unordered pair of languages.
struct LanguagePairKey: Hashable {
    let first: String, second: String
    init(_ a: String, _ b: String) { (first, second) = a < b ? (a, b) : (b, a) }
}
