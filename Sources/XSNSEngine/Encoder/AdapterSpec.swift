import Foundation
import XSNSStorage

/// A bottleneck adapter in every layer, placed as AdapterHub's `seq_bn` ("pfeiffer") config places it:
/// after the FFN output, down-projection to hidden/reduction, ReLU, up-projection (see `EncoderModel`
/// for the arithmetic around the output LayerNorm). Tensor names follow AdapterHub's saved adapters.
public struct AdapterSpec: Equatable, Sendable {
    public var name: String
    public var reduction: Int
    /// Seeds the initial weights when the adapter is new.
    public var seed: UInt64

    public init(name: String = "task", reduction: Int = 16, seed: UInt64 = 1) {
        self.name = name
        self.reduction = reduction
        self.seed = seed
    }

    public func bottleneck(hidden: Int) -> Int { max(1, hidden / reduction) }

    func tensorName(layer: Int, names: ParameterNames, _ suffix: String) -> String {
        names.layer(layer, "output.adapters.\(name).\(suffix)")
    }

    /// down.weight [r, h], down.bias [r], up.weight [h, r], up.bias [h] of one layer.
    func tensors(layer: Int, names: ParameterNames, hidden: Int) -> [(String, [Int])] {
        let r = bottleneck(hidden: hidden)
        return [(tensorName(layer: layer, names: names, "adapter_down.0.weight"), [r, hidden]),
                (tensorName(layer: layer, names: names, "adapter_down.0.bias"), [r]),
                (tensorName(layer: layer, names: names, "adapter_up.weight"), [hidden, r]),
                (tensorName(layer: layer, names: names, "adapter_up.bias"), [hidden])]
    }

    public func owns(_ tensorName: String) -> Bool { tensorName.contains(".output.adapters.\(name).") }

    /// A new adapter's weights: matrices normal with σ = 0.02 (AdapterHub's "bert" initialisation),
    /// biases zero; drawn from a stream seeded by `seed` and the tensor's name, so order does not matter.
    func initialise(_ entry: TensorLayout.Entry, _ destination: UnsafeMutableBufferPointer<Float>) {
        guard entry.shape.count == 2 else {
            destination.update(repeating: 0)
            return
        }
        var random = SeededRandom(seed: seed ^ UInt64(truncatingIfNeeded: entry.name.utf8.reduce(5381) { ($0 &* 33) &+ Int($1) }))
        for i in destination.indices { destination[i] = random.nextNormal(standardDeviation: 0.02) }
    }
}

/// Where one layer's adapter tensors sit in the block.
struct AdapterOffsets {
    let downWeight, downBias, upWeight, upBias: Int
    let bottleneck: Int

    init(layout: TensorLayout, names: ParameterNames, spec: AdapterSpec, layer: Int) {
        func entry(_ suffix: String) -> TensorLayout.Entry {
            guard let entry = layout[spec.tensorName(layer: layer, names: names, suffix)] else {
                preconditionFailure("layout lacks the adapter's \(suffix)")
            }
            return entry
        }
        let down = entry("adapter_down.0.weight")
        downWeight = down.offset
        bottleneck = down.shape[0]
        downBias = entry("adapter_down.0.bias").offset
        upWeight = entry("adapter_up.weight").offset
        upBias = entry("adapter_up.bias").offset
    }
}
