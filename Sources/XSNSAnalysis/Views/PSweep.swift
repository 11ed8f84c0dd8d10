import XSNSStorage

/// How results move with p: the sub-networks are re-derived at each p from the same Fisher indexes.
public enum PSweep {
    /// p from 0.01 to 0.5 in steps of 0.01, then 0.6 … 0.9: the range the X-SNS paper explores, dense
    /// where sub-networks are small.
    public static let defaultValues: [Double] = (1...50).map { Double($0) / 100 } + [0.6, 0.7, 0.8, 0.9]

    /// The mean-over-seeds similarity of one pair at each p.
    public static func pair(
        _ a: String, _ b: String, in collection: SubnetworkCollection, metric: MaskMetric, values: [Double] = defaultValues
    ) throws -> [(p: Double, similarity: Double?)] {
        let pair = try SubnetworkCollection(
            languages: [a, b], indexes: [a: collection.indexes[a] ?? [:], b: collection.indexes[b] ?? [:]])
        return zip(values, try pair.overlaps(ps: values)).map { p, overlaps in (p, overlaps.matrices(metric: metric).mean[a, b]) }
    }

    /// Evaluation metrics (per seed, averaged over seeds) at each p.
    public static func evaluation(
        in collection: SubnetworkCollection, gold: TransferTable, metric: MaskMetric, k: Int = 3,
        values: [Double] = defaultValues
    ) throws -> [(p: Double, evaluation: TransferEvaluation)] {
        try zip(values, collection.overlaps(ps: values)).map { p, overlaps in
            (p, try SessionEvaluation.evaluate(overlaps, metric: metric, seeds: collection.seeds, gold: gold, k: k))
        }
    }
}

/// Evaluation of a session's sub-network similarities: metrics per seed, then averaged over seeds.
public enum SessionEvaluation {
    public static func evaluate(
        _ collection: SubnetworkCollection, p: Double, metric: MaskMetric, gold: TransferTable, k: Int = 3
    ) throws -> TransferEvaluation {
        try evaluate(collection.overlaps(p: p), metric: metric, seeds: collection.seeds, gold: gold, k: k)
    }

    static func evaluate(
        _ overlaps: PairwiseOverlaps, metric: MaskMetric, seeds: [Int], gold: TransferTable, k: Int
    ) throws -> TransferEvaluation {
        let perSeed = overlaps.matrices(metric: metric).perSeed
        return try TransferEvaluation.perSeed(seeds.compactMap { perSeed[$0] }, gold: gold, k: k)
    }
}
