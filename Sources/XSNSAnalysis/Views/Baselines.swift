import Foundation

/// The X-SNS paper's non-Fisher baselines as pure functions; the engine supplies the counts and vectors.
public enum Baselines {
    /// LEX: 1 − JSD (log base 2) between two unigram distributions given as token-id counts,
    /// so 1 means identical distributions and 0 disjoint ones. nil if either side has no tokens.
    public static func lexicalSimilarity(_ a: [Int: Int], _ b: [Int: Int]) -> Double? {
        let totalA = Double(a.values.reduce(0, +))
        let totalB = Double(b.values.reduce(0, +))
        guard totalA > 0, totalB > 0 else { return nil }
        var divergence = 0.0
        for key in Set(a.keys).union(b.keys) {
            let p = Double(a[key] ?? 0) / totalA
            let q = Double(b[key] ?? 0) / totalB
            let m = (p + q) / 2
            if p > 0 { divergence += 0.5 * p * log2(p / m) }
            if q > 0 { divergence += 0.5 * q * log2(q / m) }
        }
        return 1 - max(0, min(1, divergence))
    }

    /// EMB: cosine of two mean-pooled embedding vectors; nil for a zero vector or mismatched sizes.
    public static func embeddingSimilarity(_ a: [Double], _ b: [Double]) -> Double? {
        guard a.count == b.count, !a.isEmpty else { return nil }
        var dot = 0.0
        var normA = 0.0
        var normB = 0.0
        for index in a.indices {
            dot += a[index] * b[index]
            normA += a[index] * a[index]
            normB += b[index] * b[index]
        }
        guard normA > 0, normB > 0 else { return nil }
        return dot / (normA.squareRoot() * normB.squareRoot())
    }

    /// A full matrix from any pairwise function (for `lex`/`emb` wherever a similarity can be chosen).
    public static func matrix(languages: [String], _ similarity: (String, String) -> Double?) -> SimilarityMatrix {
        SimilarityMatrix(languages: languages, values: languages.map { a in languages.map { b in similarity(a, b) } })
    }
}
