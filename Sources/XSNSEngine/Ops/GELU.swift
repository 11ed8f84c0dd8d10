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
