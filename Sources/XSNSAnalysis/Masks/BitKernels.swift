import CKernels

/// The C bit kernels (`CKernels`) at the best instruction set this CPU runs: POPCNT and, where present,
/// AVX2 or AVX-512 vectors, which Swift built for the baseline x86-64 cannot emit.
public enum BitKernels {
    static let level = xsns_bits_best_level()

    /// The instruction set the bit kernels run with here, for benchmark reports.
    public static var name: String {
        switch level {
        case XSNS_BITS_AVX512: "avx512-vpopcntdq"
        case XSNS_BITS_AVX2: "avx2"
        case XSNS_BITS_POPCNT: "popcnt"
        default: "portable"
        }
    }

    /// Σ popcount(a[i] & b[i]) over `count` words.
    @inline(__always)
    static func andPopcount(_ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, _ count: Int) -> Int {
        Int(xsns_and_popcount(level, a, b, count))
    }

    /// Σ popcount(a[i]) over `count` words.
    @inline(__always)
    static func popcount(_ a: UnsafePointer<UInt64>, _ count: Int) -> Int {
        Int(xsns_popcount(level, a, count))
    }

    /// kept ← codes ≥ `code` over the bit-sliced planes of `count` values; the numbers of codes above and
    /// at it. Feeds every plane word to `digest` when given.
    static func classify(
        planes: UnsafePointer<UInt64>, count: Int, code: Int, into kept: UnsafeMutableBufferPointer<UInt64>,
        digest: inout CodePlanes.Digest?, level: xsns_bit_level = BitKernels.level
    ) -> (above: Int, at: Int) {
        var (above, at): (UInt64, UInt64) = (0, 0)
        if digest != nil {
            digest!.withLanes { lanes in
                xsns_classify_planes(level, planes, kept.count, count, UInt32(code), kept.baseAddress!, &above, &at, lanes)
            }
        } else {
            xsns_classify_planes(level, planes, kept.count, count, UInt32(code), kept.baseAddress!, &above, &at, nil)
        }
        return (Int(above), Int(at))
    }
}
