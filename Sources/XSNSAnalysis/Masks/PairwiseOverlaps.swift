/// |A|, |B| and |A∩B| for every pair of languages, per seed.
public struct PairwiseOverlaps: Equatable, Sendable {
    public let languages: [String]
    public let seeds: [Int]
    /// sizes[seed][language]
    public let sizes: [Int: [String: Int]]
    /// intersections[seed][i][j], nil when one of the two languages lacks the seed.
    public let intersections: [Int: [[Int?]]]

    /// One distinct pair of languages (indexes into `languages`, a < b) both present at a seed.
    struct Pair {
        let seed: Int
        let a: Int
        let b: Int
    }

    public init(languages: [String], subnetworks: [String: [Int: Subnetwork]]) {
        var sizes: [Int: [String: Int]] = [:]
        for language in languages {
            for (seed, subnetwork) in subnetworks[language] ?? [:] { sizes[seed, default: [:]][language] = subnetwork.size }
        }
        let pairs = Self.pairs(languages: languages, sizes: sizes)
        var counts = [Int](repeating: 0, count: pairs.count)
        for seed in sizes.keys {
            let jobs = pairs.indices.filter { pairs[$0].seed == seed }
            let present = languages.indices.filter { sizes[seed]![languages[$0]] != nil }
            let position = Dictionary(uniqueKeysWithValues: present.enumerated().map { ($1, $0) })
            let sets = present.map { subnetworks[languages[$0]]![seed]!.bits }
            let seedCounts = PairwiseIntersections.counts(sets, pairs: jobs.map { (position[pairs[$0].a]!, position[pairs[$0].b]!) })
            for (job, count) in zip(jobs, seedCounts) { counts[job] = count }
        }
        self.init(languages: languages, sizes: sizes, pairs: pairs, counts: counts)
    }

    /// Every distinct pair of languages present at each seed (sizes[seed][language]), seed by seed.
    static func pairs(languages: [String], sizes: [Int: [String: Int]]) -> [Pair] {
        sizes.keys.sorted().flatMap { seed in
            let present = languages.indices.filter { sizes[seed]![languages[$0]] != nil }
            return present.indices.flatMap { i in ((i + 1)..<present.count).map { Pair(seed: seed, a: present[i], b: present[$0]) } }
        }
    }

    /// From the sets' sizes and the intersection count of each pair of `pairs`.
    init(languages: [String], sizes: [Int: [String: Int]], pairs: [Pair], counts: [Int]) {
        precondition(pairs.count == counts.count)
        var intersections: [Int: [[Int?]]] = [:]
        for (seed, seedSizes) in sizes {
            var table = Array(repeating: [Int?](repeating: nil, count: languages.count), count: languages.count)
            // The diagonal is each set's own size; only distinct pairs need popcounts.
            for (index, language) in languages.enumerated() { table[index][index] = seedSizes[language] }
            intersections[seed] = table
        }
        for (pair, count) in zip(pairs, counts) {
            intersections[pair.seed]![pair.a][pair.b] = count
            intersections[pair.seed]![pair.b][pair.a] = count
        }
        self.languages = languages
        seeds = sizes.keys.sorted()
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
