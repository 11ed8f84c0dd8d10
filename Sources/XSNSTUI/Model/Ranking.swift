/// One candidate source language for a target, as the Ranking view lists it.
public struct RankingEntry: Equatable, Sendable {
    public let language: String
    public let score: Double
    /// 1-based rank by predicted score.
    public let rank: Int
    /// 1-based rank by gold score, when gold has this pair.
    public let goldRank: Int?
}

/// Candidates for `target` from a similarity matrix, best first (ties by language code);
/// the target itself, languages outside `among` and non-finite scores are left out.
public func rankingEntries(matrix: SimilarityMatrix, target: String, among: [String], gold: GoldData?)
    -> [RankingEntry]
{
    let candidates = among.filter { $0 != target }.compactMap { code -> (String, Double)? in
        guard let value = matrix.value(target, code), value.isFinite else { return nil }
        return (code, value)
    }
    let sorted = candidates.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    return sorted.enumerated().map { index, candidate in
        RankingEntry(
            language: candidate.0, score: candidate.1, rank: index + 1,
            goldRank: gold?.rank(of: candidate.0, target: target))
    }
}
