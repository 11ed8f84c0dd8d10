import CKernels

/// Pairwise overlaps at many p in one pass over the runs' code planes, for the sweep: mask by mask, every
/// new p would stream every index from memory again (1 byte per value per run: 6 GB at 24 languages ×
/// 3 seeds of XLM-R-base) and write a fresh mask per run. Here the planes are read once, a block of 128
/// words (8,192 values) of every run at a time; while the block sits in cache it is turned plane-major,
/// classified at every p and intersected for every pair, and only counts leave the cache.
///
/// Only p whose masks need no Fisher value (`SubnetworkIndex.wholeGroupMask`), on indexes whose checksum
/// is confirmed, go through it; the result is the same as `PairwiseOverlaps(languages:subnetworks:)` of the masks at each p, count for count.
enum GridOverlapSweep {
    static let blockWords = 128

    struct Run {
        let language: String
        let seed: Int
        let index: SubnetworkIndex
    }

    /// Every same-seed pair of the runs, as `PairwiseOverlaps` lists them (only those with `involving`
    /// when given), and each pair's two runs as indexes into `runs` (a, b, a, b, …) for the C pair counter.
    static func pairs(languages: [String], runs: [Run], involving: String? = nil) -> (pairs: [PairwiseOverlaps.Pair], runIndexes: [UInt32]) {
        var present: [Int: [String: Int]] = [:]
        for (position, run) in runs.enumerated() { present[run.seed, default: [:]][run.language] = position }
        let pairs = PairwiseOverlaps.pairs(languages: languages, sizes: present).filter { pair in
            involving.map { languages[pair.a] == $0 || languages[pair.b] == $0 } ?? true
        }
        let runIndexes = pairs.flatMap { pair in
            [UInt32(present[pair.seed]![languages[pair.a]]!), UInt32(present[pair.seed]![languages[pair.b]]!)]
        }
        return (pairs, runIndexes)
    }

    /// sizes[seed][language] of every run's mask.
    static func sizes(runs: [Run], masks: [SubnetworkIndex.WholeGroupMask]) -> [Int: [String: Int]] {
        var sizes: [Int: [String: Int]] = [:]
        for (run, mask) in zip(runs, masks) { sizes[run.seed, default: [:]][run.language] = mask.size }
        return sizes
    }

    /// Overlaps at each p of `ps` (of the pairs with `involving` only, when given), or nil for a p that
    /// some run cannot mask from its codes alone. Throws `IndexDamaged` when codes contradict their group
    /// counts (the caller's ordinary path rebuilds the index).
    static func overlaps(languages: [String], runs: [Run], ps: [Double], involving: String? = nil) throws -> [PairwiseOverlaps?] {
        guard let count = runs.first?.index.count, runs.allSatisfy({ $0.index.count == count }) else {
            return ps.map { _ in nil }
        }
        // A checksum not yet confirmed needs each run's words in order (`GridOverlapPass` does that).
        let masks = ps.map { p in
            let masks = runs.map { $0.index.wholeGroupMask(p: p) }
            return masks.contains { $0 == nil || $0!.checksum != nil } ? nil : masks.map { $0! }
        }
        let resolved = masks.indices.filter { masks[$0] != nil }
        guard !resolved.isEmpty else { return ps.map { _ in nil } }
        let codes = resolved.map { masks[$0]! }

        let (pairs, pairRuns) = Self.pairs(languages: languages, runs: runs, involving: involving)

        let totals = Self.count(codes: codes, runs: runs, pairRuns: pairRuns, values: count)
        for (slot, runMasks) in codes.enumerated() {
            for (run, mask) in runMasks.enumerated() {
                try mask.index.checkCounts(code: mask.code, above: totals.above[slot * runs.count + run],
                                           at: totals.at[slot * runs.count + run])
            }
        }
        var result = [PairwiseOverlaps?](repeating: nil, count: ps.count)
        for (slot, p) in resolved.enumerated() {
            let counts = (0..<pairs.count).map { totals.pairs[slot * pairs.count + $0] }
            result[p] = PairwiseOverlaps(languages: languages, sizes: Self.sizes(runs: runs, masks: codes[slot]), pairs: pairs,
                                         counts: counts)
        }
        return result
    }

    /// Counts per (p, pair) and codes above and at each p's code per (p, run), summed over every block.
    private static func count(codes: [[SubnetworkIndex.WholeGroupMask]], runs: [Run], pairRuns: [UInt32], values: Int)
        -> (pairs: [Int], above: [Int], at: [Int])
    {
        let wordCount = CodePlanes.wordCount(values)
        let blockCount = (wordCount + blockWords - 1) / blockWords
        let pairCount = pairRuns.count / 2
        nonisolated(unsafe) let planes = runs.map(\.index.planes)  // kept alive by the runs' indexes
        // More chunks than cores so an uneven scheduler still balances.
        let chunkCount = max(1, min(blockCount, 64))
        let partial = ParallelMap.map(chunkCount) { chunk -> [[UInt64]] in
            var pairTotals = [UInt64](repeating: 0, count: codes.count * pairCount)
            var above = [UInt64](repeating: 0, count: codes.count * runs.count)
            var at = above
            let planeMajor = UnsafeMutablePointer<UInt64>.allocate(capacity: runs.count * CodePlanes.planeCount * blockWords)
            let masks = UnsafeMutablePointer<UInt64>.allocate(capacity: runs.count * blockWords)
            defer { planeMajor.deallocate(); masks.deallocate() }
            for block in (chunk * blockCount / chunkCount)..<((chunk + 1) * blockCount / chunkCount) {
                let start = block * blockWords
                let n = min(blockWords, wordCount - start)
                for run in runs.indices {
                    xsns_planes_to_plane_major(planes[run] + start * CodePlanes.planeCount, n,
                                               planeMajor + run * CodePlanes.planeCount * blockWords)
                }
                for (slot, runMasks) in codes.enumerated() {
                    for (run, mask) in runMasks.enumerated() {
                        let slotRun = slot * runs.count + run
                        xsns_classify_plane_major(BitKernels.level, planeMajor + run * CodePlanes.planeCount * blockWords, n,
                                                  values - start * 64, UInt32(mask.code), masks + run * blockWords,
                                                  &above[slotRun], &at[slotRun])
                    }
                    guard pairCount > 0 else { continue }
                    pairRuns.withUnsafeBufferPointer { pairRuns in
                        pairTotals.withUnsafeMutableBufferPointer { totals in
                            xsns_pair_counts(BitKernels.level, masks, blockWords, n, pairRuns.baseAddress!, pairCount,
                                             totals.baseAddress! + slot * pairCount)
                        }
                    }
                }
            }
            return [pairTotals, above, at]
        }
        func sum(_ part: Int) -> [Int] {
            partial[0][part].indices.map { index in partial.reduce(0) { $0 + Int($1[part][index]) } }
        }
        return (sum(0), sum(1), sum(2))
    }
}
