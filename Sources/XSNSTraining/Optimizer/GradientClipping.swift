import XSNSEngine

/// `torch.nn.utils.clip_grad_norm_` over every trained tensor at once.
public enum GradientClipping {
    /// The L2 norm of the gradient over `ranges` (sums in Double, in a fixed order per thread count).
    package static func norm(_ gradients: UnsafePointer<Float>, ranges: [Range<Int>], parallel: Parallel) -> Double {
        var total = 0.0
        for range in ranges {
            var partials = [Double](repeating: 0, count: parallel.chunks(range.count, grain: 1 << 15))
            partials.withUnsafeMutableBufferPointer { partial in
                parallel.splitIndexed(range.count, grain: 1 << 15) { chunk, part in
                    var squares = 0.0
                    for k in part {
                        let g = Double(gradients[range.lowerBound + k])
                        squares += g * g
                    }
                    partial[chunk] = squares
                }
            }
            total += partials.reduce(0, +)
        }
        return total.squareRoot()
    }

    /// Scales the gradient by min(1, maxNorm / (norm + 1e-6)) as PyTorch does (always multiplies,
    /// by 1 when the norm is within bounds).
    package static func clip(_ gradients: UnsafeMutablePointer<Float>, ranges: [Range<Int>], norm: Double,
                            maxNorm: Double, parallel: Parallel) {
        let coefficient = Float(min(1, maxNorm / (norm + 1e-6)))
        for range in ranges {
            parallel.split(range.count, grain: 1 << 15) { part in
                for k in part { gradients[range.lowerBound + k] *= coefficient }
            }
        }
    }
}
