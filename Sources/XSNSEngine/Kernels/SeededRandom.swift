import Foundation

/// xoshiro256** seeded through SplitMix64: a small, fast generator whose whole state is four words,
/// so an interrupted computation can store it and resume with a bit-identical stream.
///
/// This is deliberately our own generator: PyTorch's random stream (masking, dropout) is not reproduced,
/// so parity with PyTorch is checked on recorded, already-masked inputs.
public struct SeededRandom: Codable, Equatable, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// The four state words, enough to resume the stream exactly.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    public init(seed: UInt64) {
        var mixer = seed
        var words: [UInt64] = []
        for _ in 0..<4 {
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            words.append(z ^ (z >> 31))
        }
        (s0, s1, s2, s3) = (words[0], words[1], words[2], words[3])
    }

    /// Restores a stored state; nil when it is not four words or all zero (an invalid xoshiro state).
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    public init(from decoder: Decoder) throws {
        let words = try decoder.singleValueContainer().decode([UInt64].self)
        guard let restored = SeededRandom(state: words) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "invalid generator state"))
        }
        self = restored
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(state)
    }

    public mutating func next() -> UInt64 {
        let scrambled = s1 &* 5
        let result = (scrambled << 7 | scrambled >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// The `index`-th of a family of independent streams derived from this state (which is not advanced):
    /// the same for the same state and index, whatever is drawn from the others. SplitMix64 seeds of
    /// consecutive indexes lie four increments apart, so no two streams share a state word.
    public func stream(_ index: Int) -> SeededRandom {
        let base = s0 ^ (s1 << 13 | s1 >> 51) ^ (s2 << 29 | s2 >> 35) ^ (s3 << 43 | s3 >> 21)
        return SeededRandom(seed: base &+ UInt64(truncatingIfNeeded: index) &* (4 &* 0x9E37_79B9_7F4A_7C15))
    }

    /// Uniform in [0, 1) on a 2⁻²⁴ grid (every value exactly representable as Float).
    public mutating func nextUnit() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// Normal with mean 0 and deviation `standardDeviation` (Box–Muller on two uniform draws), for
    /// initialising new weights.
    public mutating func nextNormal(standardDeviation: Double) -> Float {
        let u1 = max(Double(nextUnit()), 1e-12), u2 = Double(nextUnit())
        return Float(standardDeviation * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// Uniform integer in [0, bound) without modulo bias (Lemire's multiply-and-reject).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0)
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold { product = next().multipliedFullWidth(by: range) }
        }
        return Int(product.high)
    }
}
