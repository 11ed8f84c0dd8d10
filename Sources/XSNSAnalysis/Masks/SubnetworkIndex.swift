import XSNSStorage

/// Everything about one Fisher vector that makes a mask at a new p cheap, and nothing more: the vector
/// itself is stored only as a permutation, so the caller can release its copy.
///
/// Each value gets a 7-bit code, its rank group (128 groups of about |θ|/128 values each, formed from a
/// 2²⁰-bin histogram of order-preserving float keys), stored bit-sliced, and the values are kept grouped
/// by code, each group in position order. A mask at p then needs one pass over the code planes (a
/// bit-parallel comparison decides 64 values in ~35 word operations) to settle every value outside the
/// boundary group(s) holding the percentile's order statistics; the boundary values are one contiguous
/// run, read in order — no random access into a 340 MB vector — and a selection (quickselect) among the
/// few in the percentile's histogram bin gives numpy's exact threshold.
public final class SubnetworkIndex: Sendable {
    public let layout: TensorLayout
    public let count: Int
    /// The 7-bit codes bit-sliced: word w of plane b (bit b of the codes of values 64w…64w+63) is at
    /// planes[7w + b], so one mask word reads 56 consecutive bytes. Padding values have code 0.
    private let planes: [UInt64]
    private let grouped: [Float]  // values ordered by (code, position)
    private let groupStart: [Int]  // groupStart[g] = number of values in groups < g; 129 entries
    private let binStart: [UInt32]  // binStart[b] = number of values in bins < b; 2²⁰ + 1 entries
    static let groupCount = 128
    static let binBits = 20

    /// `source` names the Fisher file in errors.
    public init(_ fisher: FlatTensors, source: String? = nil) throws {
        let values = fisher.values
        guard !values.isEmpty else { throw InputError(file: source, "Fisher vector is empty") }
        guard values.count < Int(UInt32.max) else { throw InputError(file: source, "Fisher vector longer than 2³² values") }
        let count = values.count
        let shift = UInt32(32 - Self.binBits)
        var histogram = [Int](repeating: 0, count: 1 << Self.binBits)
        var sawNaN = false
        values.withUnsafeBufferPointer { buffer in
            histogram.withUnsafeMutableBufferPointer { bins in
                for value in buffer {
                    if value.isNaN { sawNaN = true; continue }
                    bins[Int(Self.orderKey(value) >> shift)] &+= 1
                }
            }
        }
        if sawNaN { throw InputError(file: source, "Fisher vector contains NaN") }

        // Consecutive bins form groups of roughly equal population; a single heavy bin (many identical
        // values, say zeros) stays one group: still correct, only its selection is larger.
        var binGroup = [UInt8](repeating: 0, count: 1 << Self.binBits)
        var groupStart = [Int](repeating: count, count: Self.groupCount + 1)
        groupStart[0] = 0
        var group = 0
        var seen = 0
        let target = count / Self.groupCount + 1
        for bin in 0..<(1 << Self.binBits) {
            binGroup[bin] = UInt8(group)
            seen += histogram[bin]
            if group < Self.groupCount - 1, seen >= (group + 1) * target {
                group += 1
                groupStart[group] = seen
            }
        }

        var binStart = [UInt32](repeating: 0, count: (1 << Self.binBits) + 1)
        for bin in 0..<(1 << Self.binBits) { binStart[bin + 1] = binStart[bin] &+ UInt32(histogram[bin]) }

        var codes = [UInt8](repeating: 0, count: (count + 63) / 64 * 64)
        var grouped = [Float](repeating: 0, count: count)
        var cursor = Array(groupStart.prefix(Self.groupCount))
        codes.withUnsafeMutableBufferPointer { out in
            grouped.withUnsafeMutableBufferPointer { permuted in
                values.withUnsafeBufferPointer { input in
                    binGroup.withUnsafeBufferPointer { groups in
                        for index in 0..<count {
                            let value = input[index]
                            let code = groups[Int(Self.orderKey(value) >> shift)]
                            out[index] = code
                            permuted[cursor[Int(code)]] = value
                            cursor[Int(code)] &+= 1
                        }
                    }
                }
            }
        }
        self.layout = fisher.layout
        self.count = count
        self.planes = Self.bitSlice(codes)
        self.grouped = grouped
        self.groupStart = groupStart
        self.binStart = binStart
    }

    /// Unsigned key with the same order as the floats (zeros of both signs share one key).
    @inline(__always)
    static func orderKey(_ value: Float) -> UInt32 {
        let bits = value == 0 ? 0 : value.bitPattern
        return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
    }

    /// The Fisher vector back in position order (for views that need the values themselves).
    public var values: [Float] {
        var cursor = Array(groupStart.prefix(Self.groupCount))
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                let word = (index >> 6) * 7
                let bit = UInt64(index & 63)
                var code = 0
                for plane in 0..<7 { code |= Int((planes[word + plane] >> bit) & 1) << plane }
                buffer[index] = grouped[cursor[code]]
                cursor[code] += 1
            }
            initialized = count
        }
    }

    public var fisher: FlatTensors { FlatTensors(layout: layout, values: values) }

    private func group(ofRank rank: Int) -> Int {
        var low = 0
        var high = Self.groupCount - 1
        while low < high {  // last group whose start is ≤ rank
            let middle = (low + high + 1) / 2
            if groupStart[middle] <= rank { low = middle } else { high = middle - 1 }
        }
        return low
    }

    private func bin(ofRank rank: Int) -> Int {
        var low = 0
        var high = binStart.count - 2
        while low < high {  // last bin whose start is ≤ rank
            let middle = (low + high + 1) / 2
            if Int(binStart[middle]) <= rank { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The sub-network keeping the fraction p (0 < p < 1) of θ.
    public func subnetwork(p: Double) -> Subnetwork {
        precondition(p > 0 && p < 1, "p must lie in (0, 1)")
        let position = NumpyPercentile.position(q: NumpyPercentile.q(keeping: p), count: count)
        let lowGroup = group(ofRank: position.lower)
        let highGroup = group(ofRank: position.upper)
        // Narrow the selection to the histogram bin(s) of the two order statistics (bins in between are
        // empty, as the ranks are consecutive): a few thousand values instead of the whole group.
        let lowBin = bin(ofRank: position.lower)
        let highBin = bin(ofRank: position.upper)
        let shift = UInt32(32 - Self.binBits)
        let base = Int(binStart[lowBin])
        var boundary = grouped[groupStart[lowGroup]..<groupStart[highGroup + 1]].filter { value in
            let bin = Int(Self.orderKey(value) >> shift)
            return bin >= lowBin && bin <= highBin
        }
        let threshold = boundary.withUnsafeMutableBufferPointer { buffer -> Float in
            let a = Selection.select(buffer, rank: position.lower - base)
            let b = position.upper == position.lower
                ? a : Selection.minimum(buffer[(position.lower - base + 1)...])
            return NumpyPercentile.interpolate(a, b, gamma: position.gamma)
        }
        var keptAtBoundary = 0
        // Every word is written by `classify`, so the storage need not be zeroed first.
        let words = [UInt64](unsafeUninitializedCapacity: (count + 63) / 64) { buffer, initialized in
            keptAtBoundary = classify(above: highGroup, from: lowGroup, threshold: threshold, into: buffer)
            initialized = buffer.count
        }
        let keptAbove = count - groupStart[highGroup + 1]
        return Subnetwork(p: p, threshold: threshold, bits: Bitset(count: count, words: words), size: keptAbove + keptAtBoundary)
    }

    /// kept ← code > high, or code ∈ {low, high} and value ≥ threshold (groups strictly between the two
    /// are empty: the ranks are consecutive). Boundary values are met in position order, which is their
    /// order in `grouped`. Returns the number of boundary values kept.
    private func classify(
        above high: Int, from low: Int, threshold: Float, into keptWords: UnsafeMutableBufferPointer<UInt64>
    ) -> Int {
        let wordCount = keptWords.count
        let tail = count & 63
        let lastMask = tail == 0 ? UInt64.max : (UInt64.max >> UInt64(64 - tail))
        let highBits = PlaneMasks(high)
        let lowBits = PlaneMasks(low)
        var cursor = (groupStart[low], groupStart[high])  // next unread value of each boundary group
        var keptAtBoundary = 0
        planes.withUnsafeBufferPointer { planes in
            grouped.withUnsafeBufferPointer { values in
                for wordIndex in 0..<wordCount {
                    let word = planes.baseAddress! + wordIndex &* 7
                    let (aboveHigh, atHigh) = Self.compare(word, highBits)
                    var atLow: UInt64 = 0
                    if low != high { atLow = Self.compare(word, lowBits).equal }
                    var keptBits = aboveHigh
                    var boundary = atHigh | atLow
                    if wordIndex == wordCount - 1 { boundary &= lastMask }
                    while boundary != 0 {
                        let bit = UInt64(boundary.trailingZeroBitCount)
                        boundary &= boundary &- 1
                        let value: Float
                        if (atLow >> bit) & 1 != 0 {
                            value = values[cursor.0]
                            cursor.0 &+= 1
                        } else {
                            value = values[cursor.1]
                            cursor.1 &+= 1
                        }
                        if value >= threshold {
                            keptBits |= 1 << bit
                            keptAtBoundary &+= 1
                        }
                    }
                    keptWords[wordIndex] = keptBits
                }
            }
        }
        return keptAtBoundary
    }

    /// For comparing codes with c: mask b is all ones where bit b of c is 0, zero where it is 1.
    /// Seven named words rather than a collection so the comparison stays in registers.
    struct PlaneMasks {
        let m0, m1, m2, m3, m4, m5, m6: UInt64

        init(_ c: Int) {
            func mask(_ bit: Int) -> UInt64 { (c >> bit) & 1 == 0 ? .max : 0 }
            (m0, m1, m2, m3, m4, m5, m6) = (mask(0), mask(1), mask(2), mask(3), mask(4), mask(5), mask(6))
        }
    }

    /// Bit-parallel comparison of 64 codes with c, most significant plane first: `greater` marks codes
    /// > c, `equal` codes == c.
    @inline(__always)
    static func compare(_ word: UnsafePointer<UInt64>, _ masks: PlaneMasks) -> (greater: UInt64, equal: UInt64) {
        var greater: UInt64 = 0
        var equal = UInt64.max
        @inline(__always) func step(_ bits: UInt64, _ mask: UInt64) {
            greater |= equal & bits & mask
            equal &= bits ^ mask
        }
        step(word[6], masks.m6)
        step(word[5], masks.m5)
        step(word[4], masks.m4)
        step(word[3], masks.m3)
        step(word[2], masks.m2)
        step(word[1], masks.m1)
        step(word[0], masks.m0)
        return (greater, equal)
    }

    /// Byte codes → interleaved bit planes, eight codes at a time.
    static func bitSlice(_ codes: [UInt8]) -> [UInt64] {
        let wordCount = codes.count / 64
        var planes = [UInt64](repeating: 0, count: wordCount * 7)
        codes.withUnsafeBytes { raw in
            planes.withUnsafeMutableBufferPointer { out in
                for wordIndex in 0..<wordCount {
                    var words = SIMD8<UInt64>(repeating: 0)
                    for step in 0..<8 {
                        let chunk = raw.loadUnaligned(fromByteOffset: wordIndex &* 64 &+ step &* 8, as: UInt64.self)
                        for plane in 0..<7 {
                            // Bit 0 of byte i → bit i: the multiply adds each byte's bit into the top byte
                            // at a distinct position, without carries.
                            let bits = (((chunk >> UInt64(plane)) & 0x0101_0101_0101_0101) &* 0x0102_0408_1020_4080) >> 56
                            words[plane] |= bits << UInt64(step &* 8)
                        }
                    }
                    for plane in 0..<7 { out[wordIndex &* 7 &+ plane] = words[plane] }
                }
            }
        }
        return planes
    }
}
