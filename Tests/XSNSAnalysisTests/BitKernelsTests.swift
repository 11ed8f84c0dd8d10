import CKernels
import Testing

@testable import XSNSAnalysis

/// Every instruction-set variant of the C bit kernels this CPU can run, against plain Swift, over every
/// length up to a few vectors past the unrolled widths and every code of the plane comparison.
struct BitKernelsTests {
    static var levels: [xsns_bit_level] {
        [XSNS_BITS_PORTABLE, XSNS_BITS_POPCNT, XSNS_BITS_AVX2, XSNS_BITS_AVX512].filter { $0.rawValue <= BitKernels.level.rawValue }
    }

    static func words(_ count: Int, seed: UInt64) -> [UInt64] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { index in
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            let word = state &* 0x2545_F491_4F6C_DD1D
            return index % 7 == 3 ? .max : index % 5 == 1 ? 0 : word  // full and empty words among random ones
        }
    }

    @Test func popcountsAgreeWithSwiftAtEveryLevelAndLength() {
        let a = Self.words(300, seed: 1)
        let b = Self.words(300, seed: 2)
        print("bit kernels: best level \(BitKernels.level.rawValue), testing \(Self.levels.map(\.rawValue))")
        for level in Self.levels {
            for offset in [0, 1, 3] {
                for length in 0...(300 - offset) where length <= 140 || length % 37 == 0 {
                    let expectedAnd = (0..<length).reduce(0) { $0 + (a[offset + $1] & b[offset + $1]).nonzeroBitCount }
                    let expected = (0..<length).reduce(0) { $0 + a[offset + $1].nonzeroBitCount }
                    a.withUnsafeBufferPointer { a in
                        b.withUnsafeBufferPointer { b in
                            #expect(Int(xsns_and_popcount(level, a.baseAddress! + offset, b.baseAddress! + offset, length)) == expectedAnd,
                                    "level \(level.rawValue), offset \(offset), length \(length)")
                            #expect(Int(xsns_popcount(level, a.baseAddress! + offset, length)) == expected,
                                    "level \(level.rawValue), offset \(offset), length \(length)")
                        }
                    }
                }
            }
        }
    }

    @Test func planeClassificationAgreesWithSwiftForEveryCodeAndTail() {
        for count in [1, 2, 63, 64, 65, 127, 128, 129, 200, 1000] {
            let wordCount = CodePlanes.wordCount(count)
            let planes = Self.words(wordCount * CodePlanes.planeCount, seed: UInt64(count))
            for code in 0..<256 {
                // Swift reference: the same comparison as the mask's boundary path, and the planes' digest.
                var expected = [UInt64]()
                var (above, at) = (0, 0)
                planes.withUnsafeBufferPointer { planes in
                    for word in 0..<wordCount {
                        var (greater, equal) = CodePlanes.compare(planes.baseAddress! + word * 8, CodePlanes.Masks(code))
                        let tail = count - word * 64
                        let valid: UInt64 = tail >= 64 ? .max : (1 << UInt64(tail)) - 1
                        greater &= valid
                        equal &= valid
                        expected.append(greater | equal)
                        above += greater.nonzeroBitCount
                        at += equal.nonzeroBitCount
                    }
                }
                let expectedDigest = planes.withUnsafeBufferPointer { CodePlanes.digest($0.baseAddress!, wordCount: wordCount) }
                for level in Self.levels {
                    var kept = [UInt64](repeating: 0xDEAD, count: wordCount)
                    var digest: CodePlanes.Digest? = code % 17 == 0 ? CodePlanes.Digest() : nil
                    let counts = planes.withUnsafeBufferPointer { planes in
                        kept.withUnsafeMutableBufferPointer { kept in
                            BitKernels.classify(planes: planes.baseAddress!, count: count, code: code, into: kept, digest: &digest,
                                                level: level)
                        }
                    }
                    #expect(kept == expected, "level \(level.rawValue), count \(count), code \(code)")
                    #expect(counts.above == above && counts.at == at, "level \(level.rawValue), count \(count), code \(code)")
                    if let digest { #expect(digest.value == expectedDigest, "level \(level.rawValue), count \(count)") }
                }
            }
        }
    }

    /// Levels (`GridOverlapSweep`): the code of each value read bit by bit from the planes, looked up; the
    /// code counts, padding marked 0xFF, and the digest, at every level (GFNI and VBMI on AVX-512 where the
    /// CPU has them), across batch ends and word tails.
    @Test func levelsAgreeWithSwiftAtEveryLevelAndTail() {
        let table = (0..<256).map { UInt8(truncatingIfNeeded: ($0 * 37 + 11) % 233) }
        for count in [1, 63, 64, 65, 4095, 4096, 4097, 9000] {
            let wordCount = CodePlanes.wordCount(count)
            let planes = Self.words(wordCount * CodePlanes.planeCount, seed: UInt64(count) + 5)
            var expected = [UInt8](repeating: 0xFF, count: 64 * wordCount)
            var expectedCounts = [UInt64](repeating: 0, count: 256)
            for value in 0..<count {
                let code = (0..<8).reduce(0) { $0 | Int((planes[8 * (value / 64) + $1] >> UInt64(value % 64)) & 1) << $1 }
                expected[value] = table[code]
                expectedCounts[code] += 1
            }
            let expectedDigest = planes.withUnsafeBufferPointer { CodePlanes.digest($0.baseAddress!, wordCount: wordCount) }
            for level in Self.levels {
                var levels = [UInt8](repeating: 0x11, count: 64 * wordCount)
                var counts = [UInt64](repeating: 0, count: 256)
                var digest = CodePlanes.Digest()
                digest.withLanes { lanes in
                    xsns_planes_to_levels(level, planes, wordCount, count, table, &levels, &counts, lanes)
                }
                #expect(levels == expected, "level \(level.rawValue), count \(count)")
                #expect(counts == expectedCounts, "level \(level.rawValue), count \(count)")
                #expect(digest.value == expectedDigest, "level \(level.rawValue), count \(count)")
            }
        }
    }

    @Test func pairLevelHistogramsAgreeWithSwiftAtEveryLevel() {
        let stride = 3000
        let levels = Self.words(3 * stride / 8, seed: 9).withUnsafeBytes { Array($0) }.map { $0 % 240 }
        let pairs: [UInt32] = [0, 1, 2, 0, 1, 2]
        for n in [0, 1, 1023, 1024, 1025, 2999] {
            var expected = [UInt64](repeating: 0, count: 3 * 256)
            for k in 0..<3 {
                for i in 0..<n {
                    expected[256 * k + Int(max(levels[Int(pairs[2 * k]) * stride + i], levels[Int(pairs[2 * k + 1]) * stride + i]))] += 1
                }
            }
            for level in Self.levels {
                var histograms = [UInt64](repeating: 0, count: 3 * 256)
                xsns_pair_level_histograms(level, levels, stride, n, pairs, 3, &histograms)
                #expect(histograms == expected, "level \(level.rawValue), n \(n)")
            }
        }
    }

    /// The index's coding at every level against a Swift reference: codes by search among the cuts,
    /// group sizes and extremes, padding coded 0; with ties on the cuts, both zeros and a last partial word.
    @Test func codingAgreesWithSwiftAtEveryLevel() {
        let values = MaskIndexTests.tieHeavy(count: 5000, seed: 21) + [0, -0.0, 1, -1]
        let cuts: [Float] = [-0.5, 0, 1e-3, 0.25, 1, 3]
        let coder = CodePlanes.Coder(cuts: cuts)
        let wordCount = CodePlanes.wordCount(values.count)
        var codes = [Int](repeating: 0, count: 64 * wordCount)
        var sizes = [UInt64](repeating: 0, count: cuts.count + 1)
        for (i, value) in values.enumerated() {
            codes[i] = CodePlanes.Coder.search(coder.cutKeys, MaskGroups.orderKey(value))
            sizes[codes[i]] += 1
        }
        var expectedPlanes = [UInt64](repeating: 0, count: 8 * wordCount)
        for (i, code) in codes.enumerated() {
            for plane in 0..<8 where code >> plane & 1 == 1 { expectedPlanes[8 * (i / 64) + plane] |= 1 << UInt64(i % 64) }
        }
        for level in Self.levels {
            var planes = [UInt64](repeating: 0xAB, count: 8 * wordCount)
            var counted = [UInt64](repeating: 0, count: cuts.count + 1)
            var minimum = [Float](repeating: .infinity, count: cuts.count + 1)
            var maximum = [Float](repeating: -.infinity, count: cuts.count + 1)
            xsns_code_values(level, values, values.count, wordCount, coder.byBin, coder.cutKeys, cuts.count, &planes, &counted,
                             &minimum, &maximum)
            #expect(planes == expectedPlanes && counted == sizes, "level \(level.rawValue)")
            for group in 0...cuts.count {
                let members = values.indices.filter { codes[$0] == group }.map { values[$0] }
                #expect(minimum[group] == members.min() ?? .infinity && maximum[group] == members.max() ?? -.infinity,
                        "level \(level.rawValue), group \(group)")
            }
        }
    }

    /// The cuts' two histograms at every level against Swift; a NaN stops the first.
    @Test func keyHistogramsAgreeWithSwiftAtEveryLevel() {
        let values = MaskIndexTests.tieHeavy(count: 3000, seed: 31) + [0, -0.0, .infinity, -.infinity]
        var expected = [UInt32](repeating: 0, count: 1 << 20)
        for value in values { expected[Int(MaskGroups.orderKey(value) >> 12)] += 1 }
        var slots = [Int32](repeating: -1, count: 1 << 20)
        let chosen = expected.indices.filter { expected[$0] > 0 }.prefix(3)
        for (slot, bin) in chosen.enumerated() { slots[bin] = Int32(slot) }
        var expectedFine = [UInt32](repeating: 0, count: chosen.count << 12)
        for value in values {
            let key = MaskGroups.orderKey(value)
            if slots[Int(key >> 12)] >= 0 { expectedFine[Int(slots[Int(key >> 12)]) << 12 | Int(key & 0xFFF)] += 1 }
        }
        for level in Self.levels {
            var bins = [UInt32](repeating: 0, count: 1 << 20)
            #expect(xsns_key_histogram(level, values, values.count, &bins) == 1 && bins == expected, "level \(level.rawValue)")
            var fine = [UInt32](repeating: 0, count: chosen.count << 12)
            xsns_fine_key_histogram(level, values, values.count, slots, &fine)
            #expect(fine == expectedFine, "level \(level.rawValue)")
            var withNaN = [UInt32](repeating: 0, count: 1 << 20)
            #expect(xsns_key_histogram(level, values + [.nan], values.count + 1, &withNaN) == 0, "level \(level.rawValue)")
        }
    }
}
