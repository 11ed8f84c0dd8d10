import CKernels
import Foundation
import Testing

@testable import XSNSEngine

/// The vector math kernels (glibc's libmvec erf and exp) at every level this CPU runs, against scalar libm
/// in Double: within a few Float ulps, and each value's result independent of where it sits in the array.
struct MathKernelsTests {
    static var levels: [xsns_math_level] {
        [XSNS_MATH_PORTABLE, XSNS_MATH_AVX2, XSNS_MATH_AVX512].filter { $0.rawValue <= MathKernels.level.rawValue }
    }

    /// Values across GELU's whole useful range, with the extremes and zeros.
    static let inputs: [Float] = (0..<1000).map { Float($0 - 500) / 50 } + [0, -0, 1e-30, -1e-30, 15, -15, 40, -40, 88, -88]

    static func close(_ a: Float, _ b: Double, ulps: Double = 8) -> Bool {
        abs(Double(a) - b) <= ulps * Double(Float.ulpOfOne) * max(abs(b), 1e-6)
    }

    /// The Float formula's own error: 1 + erf(x/√2) is rounded at about 1, so GELU is good to about
    /// |x|·ε absolutely (the cancellation where x ≪ 0 that PyTorch's float GELU has too), and its
    /// derivative to about |dy|·(1 + |x|·φ)·ε.
    static func withinFormulaError(_ a: Float, _ b: Double, scale: Double) -> Bool {
        abs(Double(a) - b) <= 8 * Double(Float.ulpOfOne) * (abs(b) + scale)
    }

    @Test func geluForwardAndBackwardAgreeWithLibmAtEveryLevel() {
        print("math kernels: \(MathKernels.name)")
        let x = Self.inputs
        let dy = x.indices.map { Float(($0 * 37) % 11) / 7 - 0.7 }
        for level in Self.levels {
            for offset in [0, 1, 5] {
                let n = x.count - offset
                var y = [Float](repeating: .nan, count: n)
                var dx = [Float](repeating: .nan, count: n)
                xsns_gelu_forward(level, &y, Array(x[offset...]), n)
                xsns_gelu_backward(level, &dx, Array(dy[offset...]), Array(x[offset...]), n)
                for i in 0..<n {
                    let v = Double(x[offset + i])
                    let cdf = 0.5 * (1 + erf(v / 2.0.squareRoot()))
                    let pdf = exp(-0.5 * v * v) / (2 * Double.pi).squareRoot()
                    #expect(Self.withinFormulaError(y[i], v * cdf, scale: abs(v)),
                            "level \(level.rawValue) GELU(\(v)) = \(y[i]), want \(v * cdf)")
                    let want = Double(dy[offset + i]) * (cdf + v * pdf)
                    #expect(Self.withinFormulaError(dx[i], want, scale: abs(Double(dy[offset + i])) * (1 + abs(v) * pdf)),
                            "level \(level.rawValue) GELU'(\(v)) = \(dx[i]), want \(want)")
                }
                if offset > 0 {  // the same value gives the same result wherever it sits
                    var aligned = [Float](repeating: .nan, count: x.count)
                    xsns_gelu_forward(level, &aligned, x, x.count)
                    #expect(Array(aligned[offset...]) == y, "level \(level.rawValue), offset \(offset)")
                }
            }
        }
    }

    @Test func softmaxCrossEntropyAgreesWithDoubleAtEveryLevel() {
        for level in Self.levels {
            for n in [1, 7, 8, 9, 17, 1000, 250_002] {
                let logits = (0..<n).map { Float(sin(Double($0) * 0.37) * 12) }
                let label = n / 3
                var row = logits
                let loss = xsns_softmax_cross_entropy(level, &row, n, label)
                let maximum = Double(logits.max()!)
                let sum = logits.reduce(0.0) { $0 + exp(Double($1) - maximum) }
                #expect(abs(loss - (log(sum) - (Double(logits[label]) - maximum))) < 1e-5, "level \(level.rawValue), n \(n)")
                #expect(abs(row.reduce(0.0) { $0 + Double($1) } - 1) < 1e-4, "probabilities sum to 1")
                for j in stride(from: 0, to: n, by: max(1, n / 97)) {
                    #expect(Self.close(row[j], exp(Double(logits[j]) - maximum) / sum, ulps: 16), "level \(level.rawValue), n \(n), j \(j)")
                }
                guard n <= 1000 else { continue }  // attention rows are short; the Float sum is theirs
                var scores = logits
                xsns_softmax(level, &scores, n)
                for j in 0..<n {
                    #expect(Self.close(scores[j], exp(Double(logits[j]) - maximum) / sum, ulps: 32), "softmax level \(level.rawValue), n \(n), j \(j)")
                }
            }
        }
    }

    /// The squared-gradient kernels: the scaled square-add exactly as the Float formula rounds it (no fused
    /// multiply-add at any level), the sum of squares as a Double sum does.
    @Test func squaredGradientKernelsAgreeWithSwiftAtEveryLevel() {
        for level in Self.levels {
            for n in [0, 1, 7, 8, 9, 100, 4099] {
                let g = (0..<n).map { Float(sin(Double($0) * 1.3) * 3e-2) }
                let start = (0..<n).map { Float($0 % 13) * 1e-5 }
                var sum = start
                xsns_add_scaled_squares(level, &sum, g, 0.37, n)
                #expect(sum == zip(start, g).map { s, x in let v = x * 0.37; return s + v * v }, "level \(level.rawValue), n \(n)")
                let squares = xsns_sum_squares(level, g, n)
                let expected = g.reduce(0.0) { $0 + Double($1) * Double($1) }
                #expect(abs(squares - expected) <= 1e-12 * max(expected, 1e-30), "level \(level.rawValue), n \(n)")
            }
        }
    }
}
