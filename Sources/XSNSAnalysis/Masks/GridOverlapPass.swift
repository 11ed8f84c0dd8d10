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

    /// Nil when some run's mask at p needs Fisher values or its index was replaced.
    static func overlaps(languages: [String], runs: [GridOverlapSweep.Run], p: Double) throws -> PairwiseOverlaps? {
        guard let count = runs.first?.index.count, runs.allSatisfy({ $0.index.count == count }) else { return nil }
        let optionalMasks = runs.map { $0.index.wholeGroupMask(p: p) }
        guard !optionalMasks.contains(where: { $0 == nil }) else { return nil }
        let masks = optionalMasks.map { $0! }

        var sizes: [Int: [String: Int]] = [:]
        for (run, mask) in zip(runs, masks) { sizes[run.seed, default: [:]][run.language] = mask.above + mask.at }
        let pairs = PairwiseOverlaps.pairs(languages: languages, sizes: sizes)
        let runOf = Dictionary(uniqueKeysWithValues: runs.enumerated().map { ("\($1.language)\u{0}\($1.seed)", UInt32($0)) })
        let pairRuns = pairs.flatMap { pair in
            [runOf["\(languages[pair.a])\u{0}\(pair.seed)"]!, runOf["\(languages[pair.b])\u{0}\(pair.seed)"]!]
        }

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
            let (above, at) = (Int(state.above[run]), Int(state.at[run]))
            guard above == mask.above, at == mask.at else {
                throw IndexDamaged(file: mask.index.file, reason: "codes above and at group \(mask.code) count \(above) and \(at), "
                    + "the groups say \(mask.above) and \(mask.at)")
            }
            if let expected = mask.checksum {
                guard state.digests[run].value == expected else {
                    throw IndexDamaged(file: mask.index.file, reason: "its codes do not match their checksum")
                }
                mask.index.confirmChecksum()
            }
        }
        return PairwiseOverlaps(languages: languages, sizes: sizes, pairs: pairs,
                                counts: (0..<pairs.count).map { Int(state.pairTotals[$0]) })
    }

    /// Per-run counts and checksum chains, the stretch's masks and the pairs' totals, each written by one
    /// thread at a time (a run's by the thread classifying it, a pair's by its chunk's).
    private final class PassState: @unchecked Sendable {
        let masks: UnsafeMutablePointer<UInt64>
        let pairTotals: UnsafeMutablePointer<UInt64>
        let above: UnsafeMutablePointer<UInt64>
        let at: UnsafeMutablePointer<UInt64>
        /// Chains for the runs whose checksum is still to be confirmed (`checked`).
        let digests: UnsafeMutablePointer<CodePlanes.Digest>
        let checked: [Bool]

        init(runs: Int, pairs: Int, checksums: [UInt64?]) {
            masks = .allocate(capacity: runs * GridOverlapPass.stretchWords)
            pairTotals = .allocate(capacity: max(pairs, 1))
            pairTotals.initialize(repeating: 0, count: max(pairs, 1))
            above = .allocate(capacity: runs)
            above.initialize(repeating: 0, count: runs)
            at = .allocate(capacity: runs)
            at.initialize(repeating: 0, count: runs)
            digests = .allocate(capacity: runs)
            digests.initialize(repeating: CodePlanes.Digest(), count: runs)
            checked = checksums.map { $0 != nil }
        }

        func classify(run: Int, mask: SubnetworkIndex.WholeGroupMask, from start: Int, words n: Int, values: Int) {
            let kept = UnsafeMutableBufferPointer(start: masks + run * GridOverlapPass.stretchWords, count: n)
            var (runAbove, runAt): (UInt64, UInt64) = (0, 0)
            let planes = mask.index.planes + start * CodePlanes.planeCount
            if checked[run] {
                digests[run].withLanes { lanes in
                    xsns_classify_planes(BitKernels.level, planes, n, values - start * 64, UInt32(mask.code),
                                         kept.baseAddress!, &runAbove, &runAt, lanes)
                }
            } else {
                xsns_classify_planes(BitKernels.level, planes, n, values - start * 64, UInt32(mask.code),
                                     kept.baseAddress!, &runAbove, &runAt, nil)
            }
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
