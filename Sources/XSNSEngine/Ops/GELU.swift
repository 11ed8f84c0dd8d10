import Foundation

/// GELU in its exact erf form (Hugging Face `gelu`): x·Φ(x) = ½x(1 + erf(x/√2)).
enum GELU {
    private static let inverseSqrt2: Float = 0.707_106_781_186_547_5
    private static let inverseSqrt2Pi: Float = 0.398_942_280_401_432_7
    private static let grain = 8192

    static func forward(output y: UnsafeMutablePointer<Float>, input x: UnsafePointer<Float>, count: Int,
                        parallel: Parallel = .serial) {
        parallel.split(count, grain: grain) { range in
            for i in range {
                let value = x[i]
                y[i] = 0.5 * value * (1 + erf(value * inverseSqrt2))
            }
        }
    }

    /// dx = dy · (Φ(x) + x·φ(x)); `dx` may alias `dy`.
    static func backward(inputGradient dx: UnsafeMutablePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                         input x: UnsafePointer<Float>, count: Int, parallel: Parallel = .serial) {
        parallel.split(count, grain: grain) { range in
            for i in range {
                let value = x[i]
                let cdf = 0.5 * (1 + erf(value * inverseSqrt2))
                let pdf = inverseSqrt2Pi * exp(-0.5 * value * value)
                dx[i] = dy[i] * (cdf + value * pdf)
            }
        }
    }
}
