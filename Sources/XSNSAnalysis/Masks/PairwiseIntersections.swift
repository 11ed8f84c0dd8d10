/// |A∩B| for many pairs of equally long bitsets at once.
///
/// Two things make this fast where a pair-by-pair loop is not: the words are visited block by block
/// (each block of every set stays in cache while all pairs use it, so each bitset crosses the memory bus
/// once instead of once per pair), and the popcount is a SWAR sum of byte counts that needs no POPCNT
/// instruction (the default x86-64 target lacks it) and vectorises.
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

    /// popcount(a[i] & b[i]) summed over `count` words.
    @inline(__always)
    static func andPopcount(_ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, _ count: Int) -> Int {
        let m1: UInt64 = 0x5555_5555_5555_5555
        let m2: UInt64 = 0x3333_3333_3333_3333
        let m4: UInt64 = 0x0F0F_0F0F_0F0F_0F0F
        let m8: UInt64 = 0x00FF_00FF_00FF_00FF
        var total = 0
        var index = 0
        while index < count {
            // Up to 31 words of byte counts (≤ 8 each) fit in a byte accumulator without overflow.
            let end = min(index + 31, count)
            var bytes: UInt64 = 0
            while index < end {
                var x = a[index] & b[index]
                x = x &- ((x >> 1) & m1)
                x = (x & m2) &+ ((x >> 2) & m2)
                bytes &+= (x &+ (x >> 4)) & m4
                index += 1
            }
            let pairs = (bytes & m8) &+ ((bytes >> 8) & m8)  // four 16-bit lanes, each ≤ 496
            total &+= Int(truncatingIfNeeded: (pairs &* 0x0001_0001_0001_0001) >> 48)
        }
        return total
    }
}
