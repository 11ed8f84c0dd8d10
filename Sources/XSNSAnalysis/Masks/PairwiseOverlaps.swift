/// |A|, |B| and |A∩B| for every pair of languages, per seed.
public struct PairwiseOverlaps: Sendable {
    public let languages: [String]
    public let seeds: [Int]
    /// sizes[seed][language]
    public let sizes: [Int: [String: Int]]
    /// intersections[seed][i][j], nil when one of the two languages lacks the seed.
    public let intersections: [Int: [[Int?]]]

    public init(languages: [String], subnetworks: [String: [Int: Subnetwork]]) {
        let seeds = Array(Set(subnetworks.values.flatMap(\.keys))).sorted()
        var sizes: [Int: [String: Int]] = [:]
        var intersections: [Int: [[Int?]]] = [:]
        for seed in seeds {
            let present = languages.enumerated().filter { subnetworks[$0.element]?[seed] != nil }
            // The diagonal is each set's own size; only distinct pairs need popcounts.
            let pairs = present.indices.flatMap { a in ((a + 1)..<present.count).map { b in (a, b) } }
            let sets = present.map { subnetworks[$0.element]![seed]!.bits }
            let counts = PairwiseIntersections.counts(sets, pairs: pairs)
            var table = Array(repeating: [Int?](repeating: nil, count: languages.count), count: languages.count)
            for (index, language) in present {
                table[index][index] = subnetworks[language]![seed]!.size
            }
            for (job, (a, b)) in pairs.enumerated() {
                let (i, j) = (present[a].offset, present[b].offset)
                table[i][j] = counts[job]
                table[j][i] = counts[job]
            }
            intersections[seed] = table
            sizes[seed] = Dictionary(uniqueKeysWithValues: present.map { ($0.element, subnetworks[$0.element]![seed]!.size) })
        }
        self.languages = languages
        self.seeds = seeds
        self.sizes = sizes
        self.intersections = intersections
    }

    public func matrices(metric: MaskMetric) -> (mean: SimilarityMatrix, perSeed: [Int: SimilarityMatrix]) {
        var perSeed: [Int: SimilarityMatrix] = [:]
        for seed in seeds {
            var matrix = SimilarityMatrix(languages: languages)
            for (i, a) in languages.enumerated() {
                for (j, b) in languages.enumerated() {
                    guard let both = intersections[seed]?[i][j], let sizeA = sizes[seed]?[a],
                        let sizeB = sizes[seed]?[b]
                    else { continue }
                    matrix.values[i][j] = metric.similarity(intersection: both, sizeA: sizeA, sizeB: sizeB)
                }
            }
            perSeed[seed] = matrix
        }
        return (SimilarityMatrix.mean(seeds.compactMap { perSeed[$0] }, languages: languages), perSeed)
    }

    /// Mean |A∩B| over the seeds both languages have.
    public func meanIntersection(_ a: String, _ b: String) -> Double? {
        guard let i = languages.firstIndex(of: a), let j = languages.firstIndex(of: b) else { return nil }
        let counts = seeds.compactMap { intersections[$0]?[i][j] }
        return counts.isEmpty ? nil : Double(counts.reduce(0, +)) / Double(counts.count)
    }
}
