import CKernels
import Dispatch

/// Pairwise overlaps at one p of the index grid without a mask per run: at XLM-R-base size a mask is
/// 10.6 MB, so 72 runs' masks are 742 MiB written and read back, and 300 runs' 3 GiB. Here the words go
/// in stretches of 8,192 (512 KiB of masks per run): every run's stretch is classified, each run by one
/// thread in word order (so its checksum chain and counts carry on from the stretch before), then every
/// pair is intersected while the stretch's masks are still in cache.
///
/// It confirms a mapped index's checksum on the way, as the mask path does on first use, and checks every
/// run's codes against its group counts; damage throws `IndexDamaged` for the mask path to rebuild.
enum GridOverlapPass {
    static let stretchWords = 8192

    /// Nil when some run's mask at p needs Fisher values or its index was replaced. With `involving`, only
    /// the pairs that language is part of are counted.
    static func overlaps(languages: [String], runs: [GridOverlapSweep.Run], p: Double, involving: String? = nil) throws -> PairwiseOverlaps? {
        guard let count = runs.first?.index.count, runs.allSatisfy({ $0.index.count == count }) else { return nil }
        let optionalMasks = runs.map { $0.index.wholeGroupMask(p: p) }
        guard !optionalMasks.contains(where: { $0 == nil }) else { return nil }
        let masks = optionalMasks.map { $0! }

        let (pairs, pairRuns) = GridOverlapSweep.pairs(languages: languages, runs: runs, involving: involving)

        let state = PassState(runs: runs.count, pairs: pairs.count, checksums: masks.map(\.checksum))
        defer { state.deallocate() }
        let wordCount = CodePlanes.wordCount(count)
        let pairChunks = max(1, min(pairs.count, 64))
        for start in stride(from: 0, to: wordCount, by: stretchWords) {
            let n = min(stretchWords, wordCount - start)
            DispatchQueue.concurrentPerform(iterations: runs.count) { run in
                state.classify(run: run, mask: masks[run], from: start, words: n, values: count)
            }
            guard !pairs.isEmpty else { continue }
            pairRuns.withUnsafeBufferPointer { pairRuns in
                nonisolated(unsafe) let pairRuns = pairRuns.baseAddress!
                DispatchQueue.concurrentPerform(iterations: pairChunks) { chunk in
                    let first = chunk * pairs.count / pairChunks, last = (chunk + 1) * pairs.count / pairChunks
                    xsns_pair_counts(BitKernels.level, state.masks, stretchWords, n, pairRuns + 2 * first, last - first,
                                     state.pairTotals + first)
                }
            }
        }
        for (run, mask) in masks.enumerated() {
            try mask.index.checkCounts(code: mask.code, above: state.above[run], at: state.at[run])
            if let expected = mask.checksum, let digest = state.digests[run] {
                try mask.index.confirmChecksum(computed: digest.value, expected: expected)
            }
        }
        return PairwiseOverlaps(languages: languages, sizes: GridOverlapSweep.sizes(runs: runs, masks: masks), pairs: pairs,
                                counts: (0..<pairs.count).map { Int(state.pairTotals[$0]) })
    }

    /// Per-run counts and checksum chains, the stretch's masks and the pairs' totals, each written by one
    /// thread at a time (a run's by the thread classifying it, a pair's by its chunk's).
    private final class PassState: @unchecked Sendable {
        let masks: UnsafeMutablePointer<UInt64>
        let pairTotals: UnsafeMutablePointer<UInt64>
        let above: UnsafeMutablePointer<Int>
        let at: UnsafeMutablePointer<Int>
        /// Chains for the runs whose checksum is still to be confirmed (nil for the others).
        let digests: UnsafeMutablePointer<CodePlanes.Digest?>

        init(runs: Int, pairs: Int, checksums: [UInt64?]) {
            masks = .allocate(capacity: runs * GridOverlapPass.stretchWords)
            pairTotals = .allocate(capacity: max(pairs, 1))
            pairTotals.initialize(repeating: 0, count: max(pairs, 1))
            above = .allocate(capacity: runs)
            above.initialize(repeating: 0, count: runs)
            at = .allocate(capacity: runs)
            at.initialize(repeating: 0, count: runs)
            digests = .allocate(capacity: runs)
            for (run, checksum) in checksums.enumerated() { (digests + run).initialize(to: checksum.map { _ in CodePlanes.Digest() }) }
        }

        func classify(run: Int, mask: SubnetworkIndex.WholeGroupMask, from start: Int, words n: Int, values: Int) {
            let kept = UnsafeMutableBufferPointer(start: masks + run * GridOverlapPass.stretchWords, count: n)
            let (runAbove, runAt) = BitKernels.classify(
                planes: mask.index.planes + start * CodePlanes.planeCount, count: values - start * 64, code: mask.code,
                into: kept, digest: &digests[run])
            above[run] += runAbove
            at[run] += runAt
        }

        func deallocate() {
            masks.deallocate()
            pairTotals.deallocate()
            above.deallocate()
            at.deallocate()
            digests.deallocate()
        }
    }
}
