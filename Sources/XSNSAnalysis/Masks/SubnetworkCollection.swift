import XSNSStorage

/// The Fisher indexes of every (language, seed) of a session, and the similarity matrices derived from
/// their sub-networks at any p. Changing p or the metric only re-derives masks; Fisher is never recomputed.
public final class SubnetworkCollection: Sendable {
    public let languages: [String]
    public let indexes: [String: [Int: SubnetworkIndex]]

    public init(languages: [String], indexes: [String: [Int: SubnetworkIndex]]) throws {
        let layouts = languages.flatMap { indexes[$0]?.values.map(\.layout) ?? [] }
        if let first = layouts.first, !layouts.allSatisfy({ $0 == first }) {
            throw InputError("Fisher vectors do not all cover the same tensors")
        }
        for language in languages where (indexes[language] ?? [:]).isEmpty {
            throw InputError("no Fisher vector for language '\(language)'")
        }
        self.languages = languages
        self.indexes = indexes
    }

    public var seeds: [Int] { Array(Set(indexes.values.flatMap(\.keys))).sorted() }
    public var layout: TensorLayout? { languages.first.flatMap { indexes[$0]?.values.first?.layout } }

    /// Sub-networks of every (language, seed) at p, built in parallel.
    public func subnetworks(p: Double) -> [String: [Int: Subnetwork]] {
        let jobs = languages.flatMap { language in
            (indexes[language] ?? [:]).keys.sorted().map { (language, $0) }
        }
        let results = ParallelMap.map(jobs.count) { job in
            let (language, seed) = jobs[job]
            return indexes[language]![seed]!.subnetwork(p: p)
        }
        var table: [String: [Int: Subnetwork]] = [:]
        for (job, (language, seed)) in jobs.enumerated() { table[language, default: [:]][seed] = results[job] }
        return table
    }

    /// Intersection counts of every pair for every seed both languages have.
    public func overlaps(p: Double) -> PairwiseOverlaps {
        PairwiseOverlaps(languages: languages, subnetworks: subnetworks(p: p))
    }

    /// The similarity matrix at p: per seed, and the mean over seeds (what the heatmap shows).
    public func matrix(p: Double, metric: MaskMetric) -> (mean: SimilarityMatrix, perSeed: [Int: SimilarityMatrix]) {
        overlaps(p: p).matrices(metric: metric)
    }
}

/// |A|, |B| and |A∩B| for every pair of languages, per seed.
public struct PairwiseOverlaps: Sendable {
    public let languages: [String]
    public let seeds: [Int]
    /// sizes[seed][language]
    public let sizes: [Int: [String: Int]]
    /// intersections[seed][i][j], nil when one of the two languages lacks the seed.
    public let intersections: [Int: [[Int?]]]

    init(languages: [String], subnetworks: [String: [Int: Subnetwork]]) {
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
