/// |A∩B| for many pairs of equally long bitsets at once.
///
/// Two things make this fast where a pair-by-pair loop is not: the words are visited block by block
/// (each block of every set stays in cache while all pairs use it, so each bitset crosses the memory bus
/// once instead of once per pair), and the popcount uses carry-save adders (Harley–Seal), which needs
/// no POPCNT instruction (the default x86-64 target lacks it).
enum PairwiseIntersections {
    /// Words per block: 2,048 words (16 KiB) per set keeps 20 sets' blocks inside a 2 MiB L2 cache.
    static let blockWords = 2048

    static func counts(_ sets: [Bitset], pairs: [(Int, Int)]) -> [Int] {
        guard let first = sets.first, !pairs.isEmpty else { return [Int](repeating: 0, count: pairs.count) }
        precondition(sets.allSatisfy { $0.count == first.count }, "bitsets of different lengths")
        let wordCount = first.words.count
        let blockCount = (wordCount + blockWords - 1) / blockWords
        // More chunks than cores so an uneven scheduler still balances.
        let chunkCount = max(1, min(blockCount, 64))
        return withWordPointers(sets[...], []) { pointers in
            nonisolated(unsafe) let words = pointers
            let partial = ParallelMap.map(chunkCount) { chunk -> [Int] in
                var totals = [Int](repeating: 0, count: pairs.count)
                let firstBlock = chunk * blockCount / chunkCount
                let lastBlock = (chunk + 1) * blockCount / chunkCount
                for block in firstBlock..<lastBlock {
                    let start = block * blockWords
                    let length = min(blockWords, wordCount - start)
                    for (index, (a, b)) in pairs.enumerated() {
                        totals[index] &+= andPopcount(words[a] + start, words[b] + start, length)
                    }
                }
                return totals
            }
            return (0..<pairs.count).map { index in partial.reduce(0) { $0 + $1[index] } }
        }
    }

    /// Pins every set's words for the duration of `body` (nested closures keep the pointers valid).
    private static func withWordPointers<R>(
        _ sets: ArraySlice<Bitset>, _ pointers: [UnsafePointer<UInt64>], _ body: ([UnsafePointer<UInt64>]) -> R
    ) -> R {
        guard let first = sets.first else { return body(pointers) }
        return first.words.withUnsafeBufferPointer { buffer in
            // An empty bitset has no words; any pointer will do since no word is ever read.
            let base = buffer.baseAddress ?? UnsafePointer(bitPattern: 8)!
            return withWordPointers(sets.dropFirst(), pointers + [base], body)
        }
    }

    /// popcount(a[i] & b[i]) summed over `count` words: Harley–Seal carry-save adders fold 16 words into
    /// one "sixteens" word, so only one popcount per 16 words is needed; the rest of the work is plain
    /// AND/XOR/OR.
    @inline(__always)
    static func andPopcount(_ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, _ count: Int) -> Int {
        var ones: UInt64 = 0
        var twos: UInt64 = 0
        var fours: UInt64 = 0
        var eights: UInt64 = 0
        var sixteens = 0
        var index = 0
        @inline(__always)
        func add(_ high: inout UInt64, _ low: inout UInt64, _ x: UInt64, _ y: UInt64) {
            let u = low ^ x
            high = (low & x) | (u & y)
            low = u ^ y
        }
        while index + 16 <= count {
            var twosA: UInt64 = 0, twosB: UInt64 = 0, foursA: UInt64 = 0, foursB: UInt64 = 0
            var eightsA: UInt64 = 0, eightsB: UInt64 = 0, carry: UInt64 = 0
            add(&twosA, &ones, a[index] & b[index], a[index + 1] & b[index + 1])
            add(&twosB, &ones, a[index + 2] & b[index + 2], a[index + 3] & b[index + 3])
            add(&foursA, &twos, twosA, twosB)
            add(&twosA, &ones, a[index + 4] & b[index + 4], a[index + 5] & b[index + 5])
            add(&twosB, &ones, a[index + 6] & b[index + 6], a[index + 7] & b[index + 7])
            add(&foursB, &twos, twosA, twosB)
            add(&eightsA, &fours, foursA, foursB)
            add(&twosA, &ones, a[index + 8] & b[index + 8], a[index + 9] & b[index + 9])
            add(&twosB, &ones, a[index + 10] & b[index + 10], a[index + 11] & b[index + 11])
            add(&foursA, &twos, twosA, twosB)
            add(&twosA, &ones, a[index + 12] & b[index + 12], a[index + 13] & b[index + 13])
            add(&twosB, &ones, a[index + 14] & b[index + 14], a[index + 15] & b[index + 15])
            add(&foursB, &twos, twosA, twosB)
            add(&eightsB, &fours, foursA, foursB)
            add(&carry, &eights, eightsA, eightsB)
            sixteens &+= popcount(carry)
            index += 16
        }
        var total = 16 &* sixteens &+ 8 &* popcount(eights) &+ 4 &* popcount(fours) &+ 2 &* popcount(twos) &+ popcount(ones)
        while index < count {
            total &+= popcount(a[index] & b[index])
            index += 1
        }
        return total
    }

    /// SWAR popcount (the default x86-64 target has no POPCNT instruction).
    @inline(__always)
    static func popcount(_ word: UInt64) -> Int {
        var x = word &- ((word >> 1) & 0x5555_5555_5555_5555)
        x = (x & 0x3333_3333_3333_3333) &+ ((x >> 2) & 0x3333_3333_3333_3333)
        x = (x &+ (x >> 4)) & 0x0F0F_0F0F_0F0F_0F0F
        return Int(truncatingIfNeeded: (x &* 0x0101_0101_0101_0101) >> 56)
    }
}
