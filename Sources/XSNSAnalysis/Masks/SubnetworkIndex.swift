import XSNSStorage

/// A language's sub-network at one p: the parameters whose Fisher value is ≥ the global threshold.
/// Ties: every value equal to the threshold is kept, so `size` can exceed p·|θ| when values repeat.
public struct Subnetwork: Sendable {
    public let p: Double
    public let threshold: Float
    public let bits: Bitset
    public let size: Int

    init(p: Double, threshold: Float, bits: Bitset) {
        self.p = p
        self.threshold = threshold
        self.bits = bits
        size = bits.cardinality
    }
}

/// Everything about one Fisher vector that makes a mask at a new p cheap.
///
/// Built once in two linear passes: each value gets a 7-bit code, its rank group (128 groups of about
/// |θ|/128 values each, formed from a 65,536-bin histogram of order-preserving float keys). A mask at p then
/// needs one pass over the codes (8 bytes per step, carry-free byte compares) to decide every value outside
/// the boundary group(s) containing the percentile's order statistics, and a selection (quickselect) among
/// the ~|θ|/128 boundary values only. This is a quarter of the memory traffic of scanning the floats and
/// avoids sorting 85 M values.
public final class SubnetworkIndex: Sendable {
    public let layout: TensorLayout
    public let values: [Float]
    private let codes: [UInt8]  // padded with zeros to a whole number of 64-value words
    private let groupStart: [Int]  // groupStart[g] = number of values in groups < g; 129 entries
    static let groupCount = 128

    public var count: Int { values.count }

    /// `source` names the Fisher file in errors.
    public init(_ fisher: FlatTensors, source: String? = nil) throws {
        let values = fisher.values
        guard !values.isEmpty else { throw InputError(file: source, "Fisher vector is empty") }
        let count = values.count
        var histogram = [Int](repeating: 0, count: 1 << 16)
        var sawNaN = false
        values.withUnsafeBufferPointer { buffer in
            for value in buffer {
                if value.isNaN { sawNaN = true; continue }
                histogram[Int(Self.orderKey(value) >> 16)] &+= 1
            }
        }
        if sawNaN { throw InputError(file: source, "Fisher vector contains NaN") }

        // Consecutive histogram bins form groups of roughly equal population; a single heavy bin
        // (many identical values, say zeros) stays one group: still correct, only its selection is larger.
        var binGroup = [UInt8](repeating: 0, count: 1 << 16)
        var groupStart = [Int](repeating: count, count: Self.groupCount + 1)
        groupStart[0] = 0
        var group = 0
        var seen = 0
        for bin in 0..<(1 << 16) {
            binGroup[bin] = UInt8(group)
            seen += histogram[bin]
            if group < Self.groupCount - 1, seen >= (group + 1) * (count / Self.groupCount + 1) {
                group += 1
                groupStart[group] = seen
            }
        }
        for later in (group + 1)..<(Self.groupCount + 1) { groupStart[later] = count }

        let padded = (count + 63) / 64 * 64
        var codes = [UInt8](repeating: 0, count: padded)
        codes.withUnsafeMutableBufferPointer { out in
            values.withUnsafeBufferPointer { input in
                binGroup.withUnsafeBufferPointer { groups in
                    for index in 0..<count { out[index] = groups[Int(Self.orderKey(input[index]) >> 16)] }
                }
            }
        }
        self.layout = fisher.layout
        self.values = values
        self.codes = codes
        self.groupStart = groupStart
    }

    /// Unsigned key with the same order as the floats (zeros of both signs share one key).
    @inline(__always)
    static func orderKey(_ value: Float) -> UInt32 {
        let bits = value == 0 ? 0 : value.bitPattern
        return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
    }

    private func group(ofRank rank: Int) -> Int {
        var low = 0
        var high = Self.groupCount - 1
        while low < high {  // last group whose start is ≤ rank
            let middle = (low + high + 1) / 2
            if groupStart[middle] <= rank { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The sub-network keeping the fraction p (0 < p < 1) of θ.
    public func subnetwork(p: Double) -> Subnetwork {
        precondition(p > 0 && p < 1, "p must lie in (0, 1)")
        let position = NumpyPercentile.position(q: NumpyPercentile.q(keeping: p), count: count)
        let lowGroup = group(ofRank: position.lower)
        let highGroup = group(ofRank: position.upper)
        var kept = Bitset(count: count)
        var boundary = Bitset(count: count)
        classify(above: highGroup, from: lowGroup, kept: &kept, boundary: &boundary)

        // Gather the boundary values; their ranks start at groupStart[lowGroup].
        var indices: [Int] = []
        indices.reserveCapacity(groupStart[highGroup + 1] - groupStart[lowGroup])
        for (wordIndex, word) in boundary.words.enumerated() where word != 0 {
            var remaining = word
            while remaining != 0 {
                indices.append(wordIndex << 6 | remaining.trailingZeroBitCount)
                remaining &= remaining - 1
            }
        }
        var candidates = indices.map { values[$0] }
        let base = groupStart[lowGroup]
        let threshold = candidates.withUnsafeMutableBufferPointer { buffer -> Float in
            let a = Selection.select(buffer, rank: position.lower - base)
            let b = position.upper == position.lower
                ? a : Selection.minimum(buffer[(position.lower - base + 1)...])
            return NumpyPercentile.interpolate(a, b, gamma: position.gamma)
        }
        for index in indices where values[index] >= threshold { kept.insert(index) }
        return Subnetwork(p: p, threshold: threshold, bits: kept)
    }

    /// kept ← code > high; boundary ← low ≤ code ≤ high. Codes are < 128, so adding (127 − c) to each
    /// byte of a word never carries and sets the byte's top bit exactly when the code exceeds c.
    private func classify(above high: Int, from low: Int, kept: inout Bitset, boundary: inout Bitset) {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let tops: UInt64 = 0x8080_8080_8080_8080
        let aboveHigh = UInt64(127 - high) &* ones
        let atLeastLow = UInt64(128 - low) &* ones
        let wordCount = kept.words.count
        codes.withUnsafeBytes { raw in
            kept.words.withUnsafeMutableBufferPointer { keptWords in
                boundary.words.withUnsafeMutableBufferPointer { boundaryWords in
                    for wordIndex in 0..<wordCount {
                        var keptBits: UInt64 = 0
                        var boundaryBits: UInt64 = 0
                        for step in 0..<8 {
                            let chunk = raw.loadUnaligned(
                                fromByteOffset: wordIndex &* 64 &+ step &* 8, as: UInt64.self)
                            let greater = (chunk &+ aboveHigh) & tops
                            let atLeast = (chunk &+ atLeastLow) & tops
                            keptBits |= Self.packTopBits(greater) << UInt64(step * 8)
                            boundaryBits |= Self.packTopBits(atLeast & ~greater) << UInt64(step * 8)
                        }
                        keptWords[wordIndex] = keptBits
                        boundaryWords[wordIndex] = boundaryBits
                    }
                }
            }
        }
        // Padding codes are zero; they must not count as members of either set.
        let tail = count & 63
        if tail != 0 {
            let mask = UInt64.max >> UInt64(64 - tail)
            kept.words[wordCount - 1] &= mask
            boundary.words[wordCount - 1] &= mask
        }
    }

    /// The top bit of byte i → bit i of the result (one multiply gathers all eight without carries).
    @inline(__always)
    static func packTopBits(_ word: UInt64) -> UInt64 {
        ((word >> 7) &* 0x0102_0408_1020_4080) >> 56
    }
}
