import XSNSStorage

/// The parts of an encoder layer the per-module views distinguish (weights and biases together).
public enum EncoderComponent: String, CaseIterable, Sendable {
    case query
    case key
    case value
    case attentionOutput = "attention.output"
    case attentionLayerNorm = "attention.layernorm"
    case intermediate
    case output
    case outputLayerNorm = "output.layernorm"

    /// Tensor-name infix after `encoder.layer.N.` (checked in this order: `output.dense` must not catch
    /// `attention.output.dense`).
    var namePrefix: String {
        switch self {
        case .query: "attention.self.query."
        case .key: "attention.self.key."
        case .value: "attention.self.value."
        case .attentionOutput: "attention.output.dense."
        case .attentionLayerNorm: "attention.output.LayerNorm."
        case .intermediate: "intermediate.dense."
        case .output: "output.dense."
        case .outputLayerNorm: "output.LayerNorm."
        }
    }
}

/// Where each layer and component of θ lies in the flat Fisher vector, from the checkpoint's tensor
/// names (`roberta.encoder.layer.3.attention.self.query.weight`, `bert.encoder.layer.0.output.LayerNorm.bias`).
public struct ParameterMap: Sendable {
    public struct Tensor: Sendable {
        public let entry: TensorLayout.Entry
        public let layer: Int?
        public let component: EncoderComponent?
    }

    public let tensors: [Tensor]
    public let layerCount: Int

    public init(_ layout: TensorLayout) {
        tensors = layout.entries.map { entry in
            guard let (layer, rest) = Self.split(entry.name) else {
                return Tensor(entry: entry, layer: nil, component: nil)
            }
            let component = EncoderComponent.allCases.first { rest.hasPrefix($0.namePrefix) }
            return Tensor(entry: entry, layer: layer, component: component)
        }
        layerCount = (tensors.compactMap(\.layer).max() ?? -1) + 1
    }

    /// Far above any real encoder; a larger index in a (hostile) file name would only make the views
    /// allocate per-layer rows for nothing, so such a tensor counts as outside the layers.
    static let maximumLayers = 4096

    /// `…encoder.layer.<N>.<rest>` → (N, rest).
    static func split(_ name: String) -> (Int, Substring)? {
        guard let marker = name.range(of: "encoder.layer.") else { return nil }
        let tail = name[marker.upperBound...]
        guard let dot = tail.firstIndex(of: "."), let layer = Int(tail[..<dot]), layer >= 0, layer < maximumLayers
        else { return nil }
        return (layer, tail[tail.index(after: dot)...])
    }

    public func ranges(layer: Int? = nil, component: EncoderComponent? = nil) -> [Range<Int>] {
        tensors.filter { tensor in
            (layer == nil || tensor.layer == layer) && (component == nil || tensor.component == component)
        }.map(\.entry.range)
    }

    /// The tensor `encoder.layer.<layer>.<suffix>` whatever the model prefix (`roberta.`, `bert.`, none).
    public func tensor(layer: Int, _ suffix: String) -> TensorLayout.Entry? {
        tensors.first { $0.layer == layer && $0.entry.name.hasSuffix("encoder.layer.\(layer).\(suffix)") }?.entry
    }

    /// Attention heads per layer: hidden size / 64 (every BERT/RoBERTa-family base and large model),
    /// unless the engine says otherwise.
    public var defaultHeadCount: Int? {
        guard let query = tensor(layer: 0, "attention.self.query.weight"), let hidden = query.shape.first,
            hidden % 64 == 0
        else { return nil }
        return hidden / 64
    }
}
