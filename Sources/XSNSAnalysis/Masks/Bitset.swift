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
            var total = 0
            for word in buffer { total &+= word.nonzeroBitCount }
            return total
        }
    }

    /// |self ∩ other| without materialising the intersection.
    public func intersectionCount(_ other: Bitset) -> Int {
        precondition(count == other.count, "bitsets of different lengths")
        return words.withUnsafeBufferPointer { a in
            other.words.withUnsafeBufferPointer { b in
                var total = 0
                for index in 0..<a.count { total &+= (a[index] & b[index]).nonzeroBitCount }
                return total
            }
        }
    }

    /// Set bits among positions in `range`.
    public func cardinality(in range: Range<Int>) -> Int {
        countMasked(range) { word, _ in word }
    }

    /// |self ∩ other| restricted to positions in `range` (tensor slices are not word-aligned).
    public func intersectionCount(_ other: Bitset, in range: Range<Int>) -> Int {
        precondition(count == other.count, "bitsets of different lengths")
        return other.words.withUnsafeBufferPointer { b in countMasked(range) { $0 & b[$1] } }
    }

    private func countMasked(_ range: Range<Int>, _ combine: (UInt64, Int) -> UInt64) -> Int {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range outside the bitset")
        guard !range.isEmpty else { return 0 }
        let first = range.lowerBound >> 6
        let last = (range.upperBound - 1) >> 6
        let headMask = UInt64.max << UInt64(range.lowerBound & 63)
        let tailBits = range.upperBound & 63
        let tailMask = tailBits == 0 ? UInt64.max : (UInt64.max >> UInt64(64 - tailBits))
        return words.withUnsafeBufferPointer { a in
            if first == last {
                return (combine(a[first], first) & headMask & tailMask).nonzeroBitCount
            }
            var total = (combine(a[first], first) & headMask).nonzeroBitCount
            for index in (first + 1)..<last { total &+= combine(a[index], index).nonzeroBitCount }
            return total + (combine(a[last], last) & tailMask).nonzeroBitCount
        }
    }
}
