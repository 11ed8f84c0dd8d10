/// Inverted dropout as PyTorch does it: each element is zeroed with probability p and the survivors are
/// scaled by 1/(1 − p). The keep decisions are drawn from `SeededRandom` (not torch's stream) and kept as
/// one byte each for the backward pass.
package enum Dropout {
    /// In place on `x`; with p = 0 nothing is drawn and nothing is recorded.
    package static func forward(_ x: UnsafeMutablePointer<Float>, keep: UnsafeMutablePointer<UInt8>, count: Int,
                                probability p: Float, random: inout SeededRandom) {
        guard p > 0 else { return }
        let scale = 1 / (1 - p)
        for i in 0..<count {
            let kept: UInt8 = random.nextUnit() >= p ? 1 : 0
            keep[i] = kept
            x[i] = kept == 1 ? x[i] * scale : 0
        }
    }

    /// Draws keep decisions only (1 = kept), in the same order as `forward` would.
    package static func drawKeep(_ keep: UnsafeMutablePointer<UInt8>, count: Int, probability p: Float,
                                 random: inout SeededRandom) {
        for i in 0..<count { keep[i] = random.nextUnit() >= p ? 1 : 0 }
    }

    /// In place on the gradient (also applies a drawn mask to forward values: the same scaling).
    package static func backward(_ dx: UnsafeMutablePointer<Float>, keep: UnsafePointer<UInt8>, count: Int,
                                 probability p: Float) {
        guard p > 0 else { return }
        let scale = 1 / (1 - p)
        for i in 0..<count { dx[i] = keep[i] == 1 ? dx[i] * scale : 0 }
    }
}
