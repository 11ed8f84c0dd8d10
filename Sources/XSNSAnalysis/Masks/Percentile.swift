/// numpy's default `np.percentile(values, q)` ("linear", Hyndman & Fan type 7) on float32 data, reproduced
/// bit for bit: the interpolation is done in Float as numpy does for a float32 array and a Python float q.
public enum NumpyPercentile {
    /// Which order statistics (0-based ranks in ascending order) the percentile needs and with which weight.
    public struct Position: Equatable, Sendable {
        public let lower: Int
        public let upper: Int
        public let gamma: Double
    }

    /// The percentile `q` in [0, 100] of `count` values.
    public static func position(q: Double, count: Int) -> Position {
        precondition(count > 0 && q >= 0 && q <= 100)
        let virtualIndex = Double(count - 1) * (q / 100)
        if virtualIndex >= Double(count - 1) {
            return Position(lower: count - 1, upper: count - 1, gamma: 0)
        }
        let lower = Int(virtualIndex.rounded(.down))
        return Position(lower: lower, upper: lower + 1, gamma: virtualIndex - Double(lower))
    }

    /// numpy's `_lerp`: from the lower bound for small weights and from the upper bound for weights ≥ 0.5,
    /// which keeps the result inside [a, b]; the weight is rounded to Float as NumPy's weak promotion does.
    public static func interpolate(_ a: Float, _ b: Float, gamma: Double) -> Float {
        let difference = b - a
        if gamma >= 0.5 { return b - difference * Float(1 - gamma) }
        return a + difference * Float(gamma)
    }

    /// The threshold of a sub-network keeping the fraction p: the (1 − p)·100 percentile.
    public static func q(keeping p: Double) -> Double { (1 - p) * 100 }

    /// Percentile by selection (no full sort). `values` must be free of NaN.
    public static func percentile(_ values: [Float], q: Double) -> Float {
        var scratch = values
        let position = position(q: q, count: values.count)
        return scratch.withUnsafeMutableBufferPointer { buffer in
            let a = Selection.select(buffer, rank: position.lower)
            let b = position.upper == position.lower ? a : Selection.minimum(buffer[(position.lower + 1)...])
            return interpolate(a, b, gamma: position.gamma)
        }
    }
}

/// Quickselect (nth_element): the value of a given ascending rank in expected linear time.
enum Selection {
    /// Reorders `buffer` so that `buffer[rank]` holds the value of that rank, smaller-or-equal values
    /// before it and greater-or-equal after it; returns that value.
    static func select(_ buffer: UnsafeMutableBufferPointer<Float>, rank: Int) -> Float {
        precondition(rank >= 0 && rank < buffer.count)
        var low = 0
        var high = buffer.count - 1
        // A fixed-seed generator keeps runs reproducible while avoiding adversarial pivots.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        while low < high {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let pivot = buffer[low + Int((state >> 33) % UInt64(high - low + 1))]
            // Three-way partition: [low, lt) < pivot, [lt, gt] == pivot, (gt, high] > pivot.
            var lt = low
            var index = low
            var gt = high
            while index <= gt {
                let value = buffer[index]
                if value < pivot {
                    buffer.swapAt(lt, index)
                    lt += 1
                    index += 1
                } else if value > pivot {
                    buffer.swapAt(index, gt)
                    gt -= 1
                } else {
                    index += 1
                }
            }
            if rank < lt {
                high = lt - 1
            } else if rank > gt {
                low = gt + 1
            } else {
                return pivot
            }
        }
        return buffer[rank]
    }

    static func minimum(_ slice: Slice<UnsafeMutableBufferPointer<Float>>) -> Float {
        var best = Float.infinity
        for value in slice where value < best { best = value }
        return best
    }
}
