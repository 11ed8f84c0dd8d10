import XSNSStorage

/// The Fisher indexes of every (language, seed) of a session, and the similarity matrices derived from
/// their sub-networks at any p. Changing p or the metric only re-derives masks; Fisher is never recomputed.
public final class SubnetworkCollection: Sendable {
    public let languages: [String]
    public let indexes: [String: [Int: SubnetworkIndex]]
    /// Every (language, seed) with its index, languages in order, seeds ascending.
    let runs: [GridOverlapSweep.Run]
    /// Counts stored beside the indexes, read once (`PairCountTable`).
    let pairCounts: PairCountTable

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
        runs = languages.flatMap { language in
            (indexes[language] ?? [:]).sorted { $0.key < $1.key }.map { GridOverlapSweep.Run(language: language, seed: $0.key, index: $0.value) }
        }
        pairCounts = PairCountTable(runs: runs)
    }

    public var seeds: [Int] { Array(Set(indexes.values.flatMap(\.keys))).sorted() }
    public var layout: TensorLayout? { languages.first.flatMap { indexes[$0]?.values.first?.layout } }

    /// Sub-networks of every (language, seed) at p, built in parallel. `progress` is told (runs done,
    /// runs) as each finishes, from worker threads: at paper scale a new p takes seconds.
    public func subnetworks(p: Double, progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> [String: [Int: Subnetwork]] {
        let jobs = languages.flatMap { language in
            (indexes[language] ?? [:]).keys.sorted().map { (language, $0) }
        }
        let results = ParallelMap.map(jobs.count, finished: { _, done in progress?(done, jobs.count) }) { job in
            let (language, seed) = jobs[job]
            return Result { try indexes[language]![seed]!.subnetwork(p: p) }
        }
        var table: [String: [Int: Subnetwork]] = [:]
        for (job, (language, seed)) in jobs.enumerated() { table[language, default: [:]][seed] = try results[job].get() }
        return table
    }

    /// Intersection counts of every pair for every seed both languages have: stored ones where the
    /// session holds them for p (`PairCountTable`); else, at a p of the index grid, without a mask per run
    /// (`GridOverlapPass`); elsewhere, or when an index proves damaged (the mask path then rebuilds it),
    /// from the runs' masks. With `involving`, only the pairs of that language are needed (others may be
    /// left out).
    public func overlaps(p: Double, involving: String? = nil) throws -> PairwiseOverlaps {
        if involving == nil, let stored = storedOverlaps(p: p) { return stored }
        if let overlaps = (try? GridOverlapPass.overlaps(languages: languages, runs: runs, p: p, involving: involving)) ?? nil {
            return overlaps
        }
        return PairwiseOverlaps(languages: languages, subnetworks: try subnetworks(p: p))
    }

    /// The overlaps at p from the counts stored beside the indexes alone (nil where they do not answer).
    public func storedOverlaps(p: Double) -> PairwiseOverlaps? {
        pairCounts.overlaps(languages: languages, runs: runs, p: p)
    }

    /// Each language's share of its sub-network per encoder layer at p, averaged over its seeds, from the
    /// stored counts alone (nil where they do not answer).
    public func storedLayerShares(p: Double) -> [String: [Double]]? {
        pairCounts.layerShares(runs: runs, p: p)
    }

    /// Overlaps at each of `ps`, as `overlaps(p:)` gives them. Stored counts answer first; the other p on
    /// the index grid share one pass over the code planes (`GridOverlapSweep`), and any other p, or all of
    /// them if an index proves damaged, take `overlaps(p:)`.
    public func overlaps(ps: [Double], involving: String? = nil) throws -> [PairwiseOverlaps] {
        var result = ps.map { p in involving == nil ? storedOverlaps(p: p) : nil }
        let open = ps.indices.filter { result[$0] == nil }
        guard !open.isEmpty else { return result.map { $0! } }
        let swept = (try? GridOverlapSweep.overlaps(languages: languages, runs: runs, ps: open.map { ps[$0] }, involving: involving))
            ?? open.map { _ in nil }
        for (slot, overlaps) in zip(open, swept) { result[slot] = try overlaps ?? self.overlaps(p: ps[slot], involving: involving) }
        return result.map { $0! }
    }

    /// The similarity matrix at p: per seed, and the mean over seeds (what the heatmap shows).
    public func matrix(p: Double, metric: MaskMetric) throws -> (mean: SimilarityMatrix, perSeed: [Int: SimilarityMatrix]) {
        try overlaps(p: p).matrices(metric: metric)
    }
}
