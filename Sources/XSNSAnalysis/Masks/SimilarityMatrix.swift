/// A square table of similarities between languages, in a fixed language order.
/// `nil` marks a pair that has no value (for instance no seed in common).
public struct SimilarityMatrix: Equatable, Sendable {
    public let languages: [String]
    public var values: [[Double?]]

    public init(languages: [String], values: [[Double?]]) {
        precondition(values.count == languages.count && values.allSatisfy { $0.count == languages.count })
        self.languages = languages
        self.values = values
    }

    public init(languages: [String], repeating value: Double? = nil) {
        self.init(
            languages: languages,
            values: Array(repeating: Array(repeating: value, count: languages.count), count: languages.count))
    }

    public subscript(_ a: String, _ b: String) -> Double? {
        guard let i = languages.firstIndex(of: a), let j = languages.firstIndex(of: b) else { return nil }
        return values[i][j]
    }

    /// Element-wise mean of several matrices over the same languages, ignoring missing entries.
    public static func mean(_ matrices: [SimilarityMatrix], languages: [String]) -> SimilarityMatrix {
        var result = SimilarityMatrix(languages: languages)
        for (i, a) in languages.enumerated() {
            for (j, b) in languages.enumerated() {
                let present = matrices.compactMap { $0[a, b] }
                result.values[i][j] = present.isEmpty ? nil : present.reduce(0, +) / Double(present.count)
            }
        }
        return result
    }
}
