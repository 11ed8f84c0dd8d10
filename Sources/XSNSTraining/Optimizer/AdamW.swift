import Foundation
import XSNSEngine

/// AdamW exactly as `torch.optim.AdamW` (single-tensor path) computes it, element by element in float32:
/// p ← p·(1 − lr·λ); m ← m + (1 − β1)(g − m); v ← β2·v + (1 − β2)·g²;
/// p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε).
/// Its state (m, v) is one flat buffer pair laid out like the trained ranges of the parameter block,
/// one after another; the update is memory-bound and split across threads.
public final class AdamW {
    public struct Settings: Codable, Equatable, Sendable {
        public var beta1: Double = 0.9
        public var beta2: Double = 0.999
        public var epsilon: Double = 1e-8
        public var weightDecay: Double = 0

        public init(weightDecay: Double = 0) { self.weightDecay = weightDecay }
    }

    public let settings: Settings
    /// The parameter block's ranges this optimizer updates, in state order.
    public let ranges: [Range<Int>]
    public private(set) var step = 0
    /// m then v, each `stateCount` long.
    private(set) var state: [Float]
    public var stateCount: Int { ranges.reduce(0) { $0 + $1.count } }

    public init(ranges: [Range<Int>], settings: Settings) {
        self.ranges = ranges
        self.settings = settings
        state = [Float](repeating: 0, count: 2 * ranges.reduce(0) { $0 + $1.count })
    }

    /// One update of `parameters` (the whole block) from `gradients` (same layout) at `learningRate`.
    /// Elements whose `keep` byte is 0 (when given; indexed like the block) are left exactly as they are,
    /// and so is their state: sparse fine-tuning.
    package func update(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
                       learningRate: Double, keep: UnsafePointer<UInt8>? = nil, parallel: Parallel) {
        step += 1
        let s = settings
        let bias1 = 1 - pow(s.beta1, Double(step)), bias2 = 1 - pow(s.beta2, Double(step))
        let stepSize = Float(learningRate / bias1), bias2Root = Float(bias2.squareRoot())
        let decay = Float(1 - learningRate * s.weightDecay), decays = s.weightDecay != 0
        let mixM = Float(1 - s.beta1), beta2 = Float(s.beta2), mixV = Float(1 - s.beta2)
        let epsilon = Float(s.epsilon)
        let count = stateCount
        state.withUnsafeMutableBufferPointer { buffer in
            let m = buffer.baseAddress!, v = m + count
            var stateOffset = 0
            for range in ranges {
                let base = stateOffset
                parallel.split(range.count, grain: 1 << 14) { part in
                    for k in part {
                        let i = range.lowerBound + k, j = base + k
                        if let keep, keep[i] == 0 { continue }
                        let g = gradients[i]
                        var p = parameters[i]
                        if decays { p *= decay }
                        let mj = m[j] + mixM * (g - m[j])
                        let vj = v[j] * beta2 + mixV * g * g
                        m[j] = mj
                        v[j] = vj
                        p -= stepSize * (mj / (vj.squareRoot() / bias2Root + epsilon))
                        parameters[i] = p
                    }
                }
                stateOffset += range.count
            }
        }
    }

    /// Restores a saved state (from `stateValues` and `step`).
    public func restore(step: Int, stateValues: [Float]) throws {
        guard stateValues.count == state.count, step >= 0 else {
            throw TrainingError("the optimizer state does not match the trained parameters")
        }
        self.step = step
        state = stateValues
    }

    public var stateValues: [Float] { state }
}

/// A training input or state that cannot be used; the message names what is wrong.
public struct TrainingError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
