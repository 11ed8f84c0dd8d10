import CKernels
import Foundation
import XSNSStorage

/// The value groups of one Fisher vector that a `SubnetworkIndex` codes every value by.
///
/// Group g holds the values v with cuts[g-1] ≤ v < cuts[g] (group 0 everything below the first cut, the
/// last group everything from the last cut up). The cuts are numpy's exact thresholds at the p values of
/// `grid`, so a mask at any of those p is "code ≥ g" and needs no value at all; at another p only the one
/// group the threshold falls inside has to be compared value by value.
struct MaskGroups: Equatable, Sendable {
    /// Ascending, distinct (by order key); at most 255, so a code fits a byte.
    var cuts: [Float]
    /// start[g] = number of values in groups < g; groupCount + 1 entries, the last is the count.
    var start: [Int]
    /// Smallest and largest value of each group (+∞ and −∞ for an empty group).
    var minimum: [Float]
    var maximum: [Float]
    /// numpy's threshold at each p of `grid` (NaN where it is undefined): a p of the grid takes its threshold
    /// from here, since with ties its order statistics may lie inside a group.
    var gridThresholds: [Float] = []

    var groupCount: Int { cuts.count + 1 }
    var count: Int { start.last ?? 0 }

    func size(_ group: Int) -> Int { start[group + 1] - start[group] }

    /// The (non-empty) group holding the value of ascending rank `rank`.
    func group(ofRank rank: Int) -> Int {
        var low = 0
        var high = groupCount - 1
        while low < high {  // last group whose start is ≤ rank
            let middle = (low + high + 1) / 2
            if start[middle] <= rank { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The order statistic of `rank` when it is a group's first or last value (nil: it lies inside one).
    func orderStatistic(_ rank: Int) -> Float? {
        let group = group(ofRank: rank)
        if rank == start[group] { return minimum[group] }
        if rank == start[group + 1] - 1 { return maximum[group] }
        return nil
    }

    /// For a threshold t: the first group kept whole (every group from it up has all values ≥ t) and the
    /// group, if any, whose values straddle t (minimum < t ≤ maximum), which must be compared value by value.
    func split(at threshold: Float) -> (keptFrom: Int, boundary: Int?) {
        var keptFrom = groupCount
        while keptFrom > 0, size(keptFrom - 1) == 0 || minimum[keptFrom - 1] >= threshold { keptFrom -= 1 }
        guard keptFrom > 0 else { return (0, nil) }
        var below = keptFrom - 1  // the highest non-empty group not kept whole
        while below > 0, size(below) == 0 { below -= 1 }
        return size(below) > 0 && maximum[below] >= threshold ? (keptFrom, below) : (keptFrom, nil)
    }

    /// The p values whose thresholds become cuts: every 0.005 (the sweep's and the workbench's steps
    /// land on it), finer towards both ends (tiny sub-networks, and p close to 1).
    static let grid: [Double] = {
        let small = [1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4]
        let thousandths = (2...19).map { Double($0) / 2000 }  // 0.001, 0.0015, …, 0.0095
        let main = (2...199).map { Double($0) / 200 }  // 0.01, 0.015, …, 0.995
        let top = [0.996, 0.997, 0.998, 0.999, 0.9999, 0.99999, 0.999999]
        return small + thousandths + main + top
    }()
}

extension MaskGroups {
    /// Numpy's thresholds at every grid p, exact, from two streaming passes: a 2²⁰-bin histogram of order
    /// keys (top 20 bits) locates each needed order statistic's bin, and a 4,096-slot histogram of the
    /// remaining 12 bits inside just those bins gives its exact key, hence its value (keys and non-zero
    /// floats correspond one to one; both zeros share a key and compare equal).
    static func cuts(of values: UnsafeBufferPointer<Float>, source: String?) throws -> (cuts: [Float], grid: [Float]) {
        let count = values.count
        // Both passes run on every core, each stretch of values into its own histogram, summed after.
        let stretches = max(1, min(count / (1 << 20), ProcessInfo.processInfo.activeProcessorCount))
        nonisolated(unsafe) let values = values
        @Sendable func stretch(_ index: Int) -> UnsafeBufferPointer<Float> {
            UnsafeBufferPointer(rebasing: values[(index * count / stretches)..<((index + 1) * count / stretches)])
        }
        // Counts per stretch fit 32 bits while a stretch holds < 2³² values (an index holds fewer).
        let coarse = ParallelMap.map(stretches) { index -> [UInt32]? in
            var bins = [UInt32](repeating: 0, count: 1 << 20)
            let part = stretch(index)
            guard let base = part.baseAddress else { return bins }
            return xsns_key_histogram(BitKernels.level, base, part.count, &bins) == 1 ? bins : nil
        }
        guard coarse.allSatisfy({ $0 != nil }) else { throw InputError(file: source, "Fisher vector contains NaN") }
        let histogram = summed(coarse.map { $0! })
        var binStart = [Int](repeating: 0, count: (1 << 20) + 1)
        for bin in 0..<(1 << 20) { binStart[bin + 1] = binStart[bin] + histogram[bin] }
        func bin(ofRank rank: Int) -> Int {
            var low = 0
            var high = 1 << 20 - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if binStart[middle] <= rank { low = middle } else { high = middle - 1 }
            }
            return low
        }

        let positions = grid.map { NumpyPercentile.position(q: NumpyPercentile.q(keeping: $0), count: count) }
        let ranks = Set(positions.flatMap { [$0.lower, $0.upper] })
        var slot = [Int32](repeating: -1, count: 1 << 20)
        var neededBins: [Int] = []
        for rank in ranks.sorted() {
            let bin = bin(ofRank: rank)
            if slot[bin] < 0 {
                slot[bin] = Int32(neededBins.count)
                neededBins.append(bin)
            }
        }
        let slots = slot, fineCount = neededBins.count << 12
        let fines = ParallelMap.map(stretches) { index -> [UInt32] in
            var fine = [UInt32](repeating: 0, count: fineCount)
            let part = stretch(index)
            if let base = part.baseAddress { xsns_fine_key_histogram(BitKernels.level, base, part.count, slots, &fine) }
            return fine
        }
        let fine = summed(fines)
        func value(ofRank rank: Int) -> Float {
            let bin = bin(ofRank: rank)
            let base = Int(slot[bin]) << 12
            var remaining = rank - binStart[bin]
            for low in 0..<4096 {
                remaining -= fine[base + low]
                if remaining < 0 { return float(orderKey: UInt32(bin) << 12 | UInt32(low)) }
            }
            preconditionFailure("rank \(rank) outside its bin")
        }

        let thresholds = positions.map { position in
            let a = value(ofRank: position.lower)
            let b = position.upper == position.lower ? a : value(ofRank: position.upper)
            return NumpyPercentile.interpolate(a, b, gamma: position.gamma)
        }
        var cuts = thresholds.filter { !$0.isNaN }
        cuts.sort { orderKey($0) < orderKey($1) }
        var distinct: [Float] = []
        for cut in cuts where distinct.last.map({ orderKey($0) != orderKey(cut) }) ?? true { distinct.append(cut) }
        return (distinct, thresholds)
    }

    /// The stretches' histograms added bin by bin.
    private static func summed(_ histograms: [[UInt32]]) -> [Int] {
        var total = histograms[0].map(Int.init)
        for other in histograms.dropFirst() {
            for bin in total.indices { total[bin] &+= Int(other[bin]) }
        }
        return total
    }

    /// Unsigned key with the same order as the floats (zeros of both signs share one key).
    @inline(__always)
    static func orderKey(_ value: Float) -> UInt32 {
        let bits = value == 0 ? 0 : value.bitPattern
        return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
    }

    @inline(__always)
    static func float(orderKey key: UInt32) -> Float {
        Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7FFF_FFFF : ~key)
    }
}
