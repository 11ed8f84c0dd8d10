/// Candidate source languages for a target, best first.
public struct Ranking: Equatable, Sendable {
    public struct Candidate: Equatable, Sendable {
        public let language: String
        public let score: Double
    }

    public let target: String
    public let candidates: [Candidate]

    /// From a similarity matrix (higher is better); ties keep the matrix's language order.
    public init(target: String, matrix: SimilarityMatrix) {
        self.target = target
        let scored = matrix.languages.filter { $0 != target }.compactMap { language in
            matrix[target, language].map { Candidate(language: language, score: $0) }
        }
        candidates = scored.enumerated().sorted { lhs, rhs in
            lhs.element.score != rhs.element.score ? lhs.element.score > rhs.element.score : lhs.offset < rhs.offset
        }.map(\.element)
    }
}
