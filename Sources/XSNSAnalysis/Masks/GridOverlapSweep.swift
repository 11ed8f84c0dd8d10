import CKernels
import Dispatch

/// Pairwise overlaps at many p of the index grid in one pass over the runs' code planes, for the sweep and
/// for writing pair counts: mask by mask, every p would classify every run and intersect every pair again
/// (at 24 languages × 3 seeds of XLM-R-base, 232 p would be 232 passes over 6 GB of codes).
///
/// Here each run's codes become one byte per value, its level: the position, among the p asked for in
/// ascending order, of the first p whose mask holds the value. A value is in both masks of a pair at the p
/// of position s exactly when the larger of its two levels is ≤ s, so one histogram of that larger level
/// per pair gives the pair's counts at every p at once. Stretches of words go through in order: every run's
/// stretch is turned into levels (each run by one thread, so its checksum chain carries on), then every pair
/// is histogrammed while the stretch's levels are in cache.
///
/// Only p whose masks need no Fisher value (`SubnetworkIndex.wholeGroupMask`) go through it. It confirms a
/// mapped index's checksum on the way, as the mask path does on first use, and checks every run's codes
/// against its group counts; damage throws `IndexDamaged` for the mask path to rebuild. The result is the
/// same as `PairwiseOverlaps(languages:subnetworks:)` of the masks at each p, count for count.
enum GridOverlapSweep {
    static let stretchWords = 1024
    /// Level of a value in no mask; 0xFF marks padding past the last value.
    static let outside: UInt8 = 0xFE

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
    /// some run cannot mask from its codes alone.
    static func overlaps(languages: [String], runs: [Run], ps: [Double], involving: String? = nil) throws -> [PairwiseOverlaps?] {
        guard let count = runs.first?.index.count, runs.allSatisfy({ $0.index.count == count }) else {
            return ps.map { _ in nil }
        }
        // The p every run masks from its codes, ascending: their masks grow, so their codes never rise.
        let swept = Set(ps).sorted().compactMap { p -> (p: Double, masks: [SubnetworkIndex.WholeGroupMask])? in
            let masks = runs.map { $0.index.wholeGroupMask(p: p) }
            return masks.contains { $0 == nil } ? nil : (p, masks.map { $0! })
        }
        // A header edited to thresholds out of order (its checksum redone) would level wrongly: the masks answer.
        guard !swept.isEmpty, runs.indices.allSatisfy({ run in zip(swept, swept.dropFirst()).allSatisfy { $0.masks[run].code >= $1.masks[run].code } })
        else { return ps.map { _ in nil } }
        precondition(swept.count < Int(outside), "levels fit a byte")
        let (pairs, pairRuns) = Self.pairs(languages: languages, runs: runs, involving: involving)
        let histograms = try pairHistograms(runs: runs, levels: runs.indices.map { run in levelTable(swept.map { $0.masks[run].code }) },
                                   checksums: swept[0].masks.map(\.checksum), pairRuns: pairRuns, values: count)
        var overlaps: [Double: PairwiseOverlaps] = [:]
        var counts = [Int](repeating: 0, count: pairs.count)
        for (level, (p, masks)) in swept.enumerated() {
            for pair in pairs.indices { counts[pair] += Int(histograms[256 * pair + level]) }
            overlaps[p] = PairwiseOverlaps(languages: languages, sizes: Self.sizes(runs: runs, masks: masks), pairs: pairs, counts: counts)
        }
        return ps.map { overlaps[$0] }
    }

    /// table[code] = the first level whose mask code is ≤ code (`outside` when none is).
    private static func levelTable(_ codes: [Int]) -> [UInt8] {
        (0..<256).map { code in codes.firstIndex { $0 <= code }.map(UInt8.init) ?? outside }
    }

    /// Each pair's histogram of the larger level (256 per pair), after checking every run's code counts
    /// against its groups and confirming the checksums still pending.
    private static func pairHistograms(runs: [Run], levels: [[UInt8]], checksums: [UInt64?], pairRuns: [UInt32], values: Int) throws -> [UInt64] {
        let state = PassState(runs: runs.count, pairs: pairRuns.count / 2, checksums: checksums)
        defer { state.deallocate() }
        let wordCount = CodePlanes.wordCount(values)
        let pairCount = pairRuns.count / 2
        let pairChunks = max(1, min(pairCount, 64))
        nonisolated(unsafe) let planes = runs.map(\.index.planes)  // kept alive by the runs' indexes
        for start in stride(from: 0, to: wordCount, by: stretchWords) {
            let n = min(stretchWords, wordCount - start)
            DispatchQueue.concurrentPerform(iterations: runs.count) { run in
                levels[run].withUnsafeBufferPointer { table in
                    state.level(run: run, planes: planes[run] + start * CodePlanes.planeCount, words: n,
                                valid: values - start * 64, table: table.baseAddress!)
                }
            }
            guard pairCount > 0 else { continue }
            pairRuns.withUnsafeBufferPointer { pairRuns in
                nonisolated(unsafe) let pairRuns = pairRuns.baseAddress!
                DispatchQueue.concurrentPerform(iterations: pairChunks) { chunk in
                    let first = chunk * pairCount / pairChunks, last = (chunk + 1) * pairCount / pairChunks
                    xsns_pair_level_histograms(BitKernels.level, state.levels, 64 * stretchWords, 64 * n, pairRuns + 2 * first,
                                               last - first, state.histograms + 256 * first)
                }
            }
        }
        for (run, checksum) in checksums.enumerated() {
            let index = runs[run].index
            var above = 0
            for code in (0..<256).reversed() {
                let at = Int(state.codeCounts[256 * run + code])
                if code >= index.groups.groupCount {
                    guard at == 0 else { throw IndexDamaged(file: index.file, reason: "it holds codes past its last group") }
                } else {
                    try index.checkCounts(code: code, above: above, at: at)
                }
                above += at
            }
            if let checksum, let digest = state.digests[run] { try index.confirmChecksum(computed: digest.value, expected: checksum) }
        }
        return Array(UnsafeBufferPointer(start: state.histograms, count: 256 * pairCount))
    }

    /// The stretch's levels, per-run code counts and checksum chains (each written by the thread turning
    /// that run) and the pairs' histograms (each by its chunk's thread).
    private final class PassState: @unchecked Sendable {
        let levels: UnsafeMutablePointer<UInt8>
        let codeCounts: UnsafeMutablePointer<UInt64>
        let histograms: UnsafeMutablePointer<UInt64>
        /// Chains for the runs whose checksum is still to be confirmed (nil for the others).
        let digests: UnsafeMutablePointer<CodePlanes.Digest?>

        init(runs: Int, pairs: Int, checksums: [UInt64?]) {
            levels = .allocate(capacity: runs * 64 * GridOverlapSweep.stretchWords)
            codeCounts = .allocate(capacity: 256 * runs)
            codeCounts.initialize(repeating: 0, count: 256 * runs)
            histograms = .allocate(capacity: 256 * max(pairs, 1))
            histograms.initialize(repeating: 0, count: 256 * max(pairs, 1))
            digests = .allocate(capacity: runs)
            for (run, checksum) in checksums.enumerated() { (digests + run).initialize(to: checksum.map { _ in CodePlanes.Digest() }) }
        }

        func level(run: Int, planes: UnsafePointer<UInt64>, words: Int, valid: Int, table: UnsafePointer<UInt8>) {
            let out = levels + run * 64 * GridOverlapSweep.stretchWords
            if digests[run] != nil {
                digests[run]!.withLanes { lanes in
                    xsns_planes_to_levels(BitKernels.level, planes, words, valid, table, out, codeCounts + 256 * run, lanes)
                }
            } else {
                xsns_planes_to_levels(BitKernels.level, planes, words, valid, table, out, codeCounts + 256 * run, nil)
            }
        }

        func deallocate() {
            levels.deallocate()
            codeCounts.deallocate()
            histograms.deallocate()
            digests.deallocate()
        }
    }
}
