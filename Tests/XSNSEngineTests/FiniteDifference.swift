@testable import XSNSEngine

/// Central finite differences for the op tests: the loss is accumulated in Double, the step is large
/// enough for Float rounding to stay far below the tolerance, and a wrong gradient still fails clearly.
enum FiniteDifference {
    static let step: Float = 1e-2

    /// The worst |analytic − numeric| over all entries, relative to the largest |numeric|.
    static func relativeError(analytic: [Float], values: inout [Float], step: Float = step,
                              loss: ([Float]) -> Double) -> Double {
        precondition(analytic.count == values.count)
        var worst = 0.0, scale = 0.0
        for i in values.indices {
            let original = values[i]
            values[i] = original + step
            let plus = loss(values)
            values[i] = original - step
            let minus = loss(values)
            values[i] = original
            let numeric = (plus - minus) / (2 * Double(step))
            worst = max(worst, abs(Double(analytic[i]) - numeric))
            scale = max(scale, abs(numeric))
        }
        return worst / max(scale, 1e-12)
    }

    /// Deterministic test values in [−1, 1).
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in random.nextUnit() * 2 - 1 }
    }

    /// Σ weights ⊙ y in Double: a loss whose gradient with respect to y is `weights`.
    static func weightedSum(_ y: [Float], _ weights: [Float]) -> Double {
        zip(y, weights).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
}

extension Array where Element == Float {
    /// Runs `body` with a mutable pointer to a copy's storage and returns the copy.
    func mutated(_ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        var copy = self
        copy.withUnsafeMutableBufferPointer { if let base = $0.baseAddress { body(base) } }
        return copy
    }
}
