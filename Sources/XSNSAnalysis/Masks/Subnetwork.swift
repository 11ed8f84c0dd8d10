import XSNSStorage

/// A language's sub-network at one p: the parameters whose Fisher value is ≥ the global threshold.
/// Ties: every value equal to the threshold is kept, so `size` can exceed p·|θ| when values repeat.
public struct Subnetwork: Sendable {
    public let p: Double
    public let threshold: Float
    public let bits: Bitset
    public let size: Int

    /// `size` is known from the construction, sparing a popcount pass over |θ| bits.
    init(p: Double, threshold: Float, bits: Bitset, size: Int) {
        self.p = p
        self.threshold = threshold
        self.bits = bits
        self.size = size
    }
}

extension Subnetwork {
    /// The sub-network at one p straight from a Fisher vector, without building a `SubnetworkIndex`:
    /// what a one-shot command needs (memory for the vector being read only, three streaming passes).
    /// A 65,536-bin histogram of order-preserving keys locates the bin(s) of the percentile's order
    /// statistics; selection among that bin's values gives numpy's exact threshold.
    public init(fisher values: [Float], p: Double, source: String? = nil) throws {
        precondition(p > 0 && p < 1, "p must lie in (0, 1)")
        guard !values.isEmpty else { throw InputError(file: source, "Fisher vector is empty") }
        let count = values.count
        var histogram = [Int](repeating: 0, count: 1 << 16)
        var sawNaN = false
        values.withUnsafeBufferPointer { input in
            histogram.withUnsafeMutableBufferPointer { bins in
                for value in input {
                    if value.isNaN { sawNaN = true; continue }
                    bins[Int(MaskGroups.orderKey(value) >> 16)] &+= 1
                }
            }
        }
        if sawNaN { throw InputError(file: source, "Fisher vector contains NaN") }

        let position = NumpyPercentile.position(q: NumpyPercentile.q(keeping: p), count: count)
        // First bin whose cumulative count passes each rank; bins between the two are empty.
        var lowBin = 0
        var highBin = 0
        var before = 0
        var base = 0
        var foundLow = false
        for bin in 0..<(1 << 16) {
            let after = before + histogram[bin]
            if !foundLow, position.lower < after {
                lowBin = bin
                base = before
                foundLow = true
            }
            if position.upper < after {
                highBin = bin
                break
            }
            before = after
        }
        var candidates: [Float] = []
        candidates.reserveCapacity(histogram[lowBin...highBin].reduce(0, +))
        for value in values {
            let bin = Int(MaskGroups.orderKey(value) >> 16)
            if bin >= lowBin && bin <= highBin { candidates.append(value) }
        }
        let threshold = candidates.withUnsafeMutableBufferPointer { buffer -> Float in
            let a = Selection.select(buffer, rank: position.lower - base)
            let b = position.upper == position.lower ? a : Selection.minimum(buffer[(position.lower - base + 1)...])
            return NumpyPercentile.interpolate(a, b, gamma: position.gamma)
        }

        var size = 0
        let words = [UInt64](unsafeUninitializedCapacity: (count + 63) / 64) { buffer, initialized in
            values.withUnsafeBufferPointer { input in
                for wordIndex in 0..<buffer.count {
                    let start = wordIndex << 6
                    let end = min(start + 64, count)
                    var word: UInt64 = 0
                    for index in start..<end where input[index] >= threshold { word |= 1 << UInt64(index - start) }
                    size &+= word.nonzeroBitCount
                    buffer[wordIndex] = word
                }
            }
            initialized = buffer.count
        }
        self.init(p: p, threshold: threshold, bits: Bitset(count: count, words: words), size: size)
    }
}
