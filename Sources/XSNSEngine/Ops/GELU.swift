import CKernels

/// GELU in its exact erf form (Hugging Face `gelu`): x·Φ(x) = ½x(1 + erf(x/√2)).
enum GELU {
    private static let grain = 8192

    static func forward(output y: UnsafeMutablePointer<Float>, input x: UnsafePointer<Float>, count: Int,
                        parallel: Parallel = .serial) {
        parallel.split(count, grain: grain) { range in
            xsns_gelu_forward(MathKernels.level, y + range.lowerBound, x + range.lowerBound, range.count)
        }
    }

    /// dx = dy · (Φ(x) + x·φ(x)); `dx` may alias `dy`.
    static func backward(inputGradient dx: UnsafeMutablePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                         input x: UnsafePointer<Float>, count: Int, parallel: Parallel = .serial) {
        parallel.split(count, grain: grain) { range in
            xsns_gelu_backward(MathKernels.level, dx + range.lowerBound, dy + range.lowerBound, x + range.lowerBound, range.count)
        }
    }
}

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
