/// A fixed-length set of bit positions packed into 64-bit words (bit i of word w is position 64·w + i).
/// Sub-networks are bitsets over θ, so every similarity is a popcount over word-wise ANDs.
public struct Bitset: Equatable, Sendable {
    public let count: Int
    public internal(set) var words: [UInt64]

    public init(count: Int) {
        precondition(count >= 0)
        self.count = count
        words = [UInt64](repeating: 0, count: (count + 63) / 64)
    }

    /// From packed words; bits past `count` in the last word must be zero.
    init(count: Int, words: [UInt64]) {
        precondition(words.count == (count + 63) / 64)
        self.count = count
        self.words = words
    }

    public init(count: Int, positions: some Sequence<Int>) {
        self.init(count: count)
        for position in positions { insert(position) }
    }

    public func contains(_ position: Int) -> Bool {
        words[position >> 6] & (1 << UInt64(position & 63)) != 0
    }

    public mutating func insert(_ position: Int) {
        words[position >> 6] |= 1 << UInt64(position & 63)
    }

    /// Number of set bits.
    public var cardinality: Int {
        words.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { BitKernels.popcount($0, buffer.count) } ?? 0
        }
    }

    /// |self ∩ other| without materialising the intersection.
    public func intersectionCount(_ other: Bitset) -> Int {
        precondition(count == other.count, "bitsets of different lengths")
        return words.withUnsafeBufferPointer { a in
            other.words.withUnsafeBufferPointer { b in
                a.baseAddress.map { BitKernels.andPopcount($0, b.baseAddress!, a.count) } ?? 0
            }
        }
    }

    /// Set bits among positions in `range`.
    public func cardinality(in range: Range<Int>) -> Int {
        countMasked(range, and: nil)
    }

    /// |self ∩ other| restricted to positions in `range` (tensor slices are not word-aligned).
    public func intersectionCount(_ other: Bitset, in range: Range<Int>) -> Int {
        precondition(count == other.count, "bitsets of different lengths")
        return other.words.withUnsafeBufferPointer { b in countMasked(range, and: b.baseAddress) }
    }

    /// Set bits of self (and of `other`, when given) in `range`: whole words through the bit kernels,
    /// the partial words at either end masked here.
    private func countMasked(_ range: Range<Int>, and other: UnsafePointer<UInt64>?) -> Int {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range outside the bitset")
        guard !range.isEmpty else { return 0 }
        let first = range.lowerBound >> 6
        let last = (range.upperBound - 1) >> 6
        let headMask = UInt64.max << UInt64(range.lowerBound & 63)
        let tailBits = range.upperBound & 63
        let tailMask = tailBits == 0 ? UInt64.max : (UInt64.max >> UInt64(64 - tailBits))
        return words.withUnsafeBufferPointer { buffer in
            let a = buffer.baseAddress!
            func word(_ index: Int) -> UInt64 { other.map { a[index] & $0[index] } ?? a[index] }
            if first == last { return (word(first) & headMask & tailMask).nonzeroBitCount }
            let ends = (word(first) & headMask).nonzeroBitCount + (word(last) & tailMask).nonzeroBitCount
            let inner = last - first - 1
            guard inner > 0 else { return ends }
            return ends + (other.map { BitKernels.andPopcount(a + first + 1, $0 + first + 1, inner) }
                ?? BitKernels.popcount(a + first + 1, inner))
        }
    }
}
