import CKernels

/// The elementwise math kernels (`CKernels`): glibc's vector erf and exp, 8 or 16 values at a time, where
/// the CPU and C library have them; scalar libm elsewhere. Each value's result is the same wherever it
/// sits in an array, so splitting work between threads changes nothing.
package enum MathKernels {
    static let level = xsns_math_best_level()

    package static var name: String {
        switch level {
        case XSNS_MATH_AVX512: "libmvec-avx512"
        case XSNS_MATH_AVX2: "libmvec-avx2"
        default: "libm"
        }
    }
}
