import CKernels
import Foundation
import XSNSStorage

/// Every value's group (`MaskGroups`) as an 8-bit code, stored bit-sliced: word w of plane b (bit b of
/// the codes of values 64w…64w+63) is at planes[8w + b], so one mask word reads one 64-byte cache line and
/// a bit-parallel comparison decides 64 values in ~25 word operations. Padding values past the count have
/// code 0. One byte per value: the whole of a persistent index but its small header.
enum CodePlanes {
    static let planeCount = 8

    static func wordCount(_ count: Int) -> Int { (count + 63) / 64 }

    /// Codes every value by the cuts, and the groups' sizes and extremes: stretches of words on every core,
    /// each with its own tallies, merged after (exact: counts, minima and maxima do not depend on order).
    static func build(_ values: UnsafeBufferPointer<Float>, cuts: [Float]) -> (planes: [UInt64], groups: MaskGroups) {
        precondition(cuts.count < 256, "at most 255 cuts")
        let coder = Coder(cuts: cuts)
        let words = wordCount(values.count)
        let stretches = max(1, min(words / 16_384, 2 * ProcessInfo.processInfo.activeProcessorCount))
        nonisolated(unsafe) let values = values
        var tallies: [Tally] = []
        let planes = [UInt64](unsafeUninitializedCapacity: words * planeCount) { buffer, initialized in
            nonisolated(unsafe) let output = buffer.baseAddress!
            tallies = ParallelMap.map(stretches) { stretch in
                coder.code(values, words: (stretch * words / stretches)..<((stretch + 1) * words / stretches), into: output)
            }
            initialized = words * planeCount  // `slice` writes every word's eight planes
        }
        let groupCount = cuts.count + 1
        let sizes = (0..<groupCount).map { group in tallies.reduce(0) { $0 + $1.sizes[group] } }
        var start = [0]
        for size in sizes { start.append(start.last! + size) }
        return (planes, MaskGroups(cuts: cuts, start: start,
                                   minimum: (0..<groupCount).map { group in tallies.map { $0.minimum[group] }.min()! },
                                   maximum: (0..<groupCount).map { group in tallies.map { $0.maximum[group] }.max()! }))
    }

    /// One stretch's group sizes and extremes.
    struct Tally: Sendable {
        var sizes: [Int]
        var minimum: [Float]
        var maximum: [Float]
    }

    /// A value's code: the number of cuts ≤ it.
    struct Coder: Sendable {
        let cutKeys: [UInt32]
        /// Most 2²⁰-bins of keys hold no cut: all their values share one code, looked up instead of searched.
        let byBin: [UInt8]
        static let ambiguous: UInt8 = 0xFF

        init(cuts: [Float]) {
            precondition(cuts.count < Int(Self.ambiguous), "a code never reads as ambiguous")
            cutKeys = cuts.map(MaskGroups.orderKey)
            let keys = cutKeys
            byBin = (0..<(1 << 20)).map { bin -> UInt8 in
                let first = Self.search(keys, UInt32(bin) << 12)
                return first == Self.search(keys, UInt32(bin) << 12 | 0xFFF) ? UInt8(first) : Self.ambiguous
            }
        }

        static func search(_ keys: [UInt32], _ key: UInt32) -> Int {
            var low = 0
            var high = keys.count
            while low < high {
                let middle = (low + high) / 2
                if keys[middle] <= key { low = middle + 1 } else { high = middle }
            }
            return low
        }

        /// Codes the values of `words`, writing their planes, and tallies their groups (the C kernel).
        func code(_ values: UnsafeBufferPointer<Float>, words: Range<Int>, into planes: UnsafeMutablePointer<UInt64>) -> Tally {
            let groupCount = cutKeys.count + 1
            var sizes = [UInt64](repeating: 0, count: groupCount)
            var minimum = [Float](repeating: .infinity, count: groupCount)
            var maximum = [Float](repeating: -.infinity, count: groupCount)
            guard !words.isEmpty else { return Tally(sizes: sizes.map(Int.init), minimum: minimum, maximum: maximum) }
            let first = words.lowerBound * 64
            xsns_code_values(BitKernels.level, values.baseAddress! + first, max(0, min(values.count, words.upperBound * 64) - first),
                             words.count, byBin, cutKeys, cutKeys.count, planes + words.lowerBound * planeCount, &sizes,
                             &minimum, &maximum)
            return Tally(sizes: sizes.map(Int.init), minimum: minimum, maximum: maximum)
        }
    }

    /// For comparing codes with c: mask b is all ones where bit b of c is 0, zero where it is 1.
    /// Eight named words rather than a collection so the comparison stays in registers.
    struct Masks {
        let m0, m1, m2, m3, m4, m5, m6, m7: UInt64

        init(_ c: Int) {
            func mask(_ bit: Int) -> UInt64 { (c >> bit) & 1 == 0 ? .max : 0 }
            (m0, m1, m2, m3, m4, m5, m6, m7) = (mask(0), mask(1), mask(2), mask(3), mask(4), mask(5), mask(6), mask(7))
        }
    }

    /// Bit-parallel comparison of 64 codes with c, most significant plane first: `greater` marks codes
    /// > c, `equal` codes == c.
    @inline(__always)
    static func compare(_ word: UnsafePointer<UInt64>, _ masks: Masks) -> (greater: UInt64, equal: UInt64) {
        var greater: UInt64 = 0
        var equal = UInt64.max
        @inline(__always) func step(_ bits: UInt64, _ mask: UInt64) {
            greater |= equal & bits & mask
            equal &= bits ^ mask
        }
        step(word[7], masks.m7)
        step(word[6], masks.m6)
        step(word[5], masks.m5)
        step(word[4], masks.m4)
        step(word[3], masks.m3)
        step(word[2], masks.m2)
        step(word[1], masks.m1)
        step(word[0], masks.m0)
        return (greater, equal)
    }

    /// A checksum of the planes, eight multiply-rotate lanes (one per plane) so that it costs little
    /// inside the mask pass that reads the planes anyway: a mapped index is checked on its first use.
    struct Digest {
        private var lanes = SIMD8<UInt64>(repeating: 0x9E37_79B9_7F4A_7C15)

        @inline(__always)
        mutating func add(_ word: UnsafePointer<UInt64>) {
            let words = UnsafeRawPointer(word).loadUnaligned(as: SIMD8<UInt64>.self)
            lanes = (((lanes &<< 5) | (lanes &>> 59)) ^ words) &* 0xFF51_AFD7_ED55_8CCD
        }

        /// The eight lanes as words, for a kernel that feeds them itself (`BitKernels.classify`).
        mutating func withLanes<R>(_ body: (UnsafeMutablePointer<UInt64>) -> R) -> R {
            withUnsafeMutableBytes(of: &lanes) { body($0.baseAddress!.assumingMemoryBound(to: UInt64.self)) }
        }

        var value: UInt64 {
            (0..<8).reduce(UInt64(0)) { total, lane in (total ^ lanes[lane]) &* 0xC4CE_B9FE_1A85_EC53 }
        }
    }

    static func digest(_ planes: UnsafePointer<UInt64>, wordCount: Int) -> UInt64 {
        var digest = Digest()
        for word in 0..<wordCount { digest.add(planes + word * planeCount) }
        return digest.value
    }
}
