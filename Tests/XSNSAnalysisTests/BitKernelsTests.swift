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
}
