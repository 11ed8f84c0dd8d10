import XSNSStorage

/// A tensor the encoder needs, with the shape its config implies (PyTorch `[out, in]` for Linear).
public struct ExpectedTensor: Sendable, Equatable {
    public let name: String
    public let shape: [Int]

    public init(name: String, shape: [Int]) {
        self.name = name
        self.shape = shape
    }
}

/// The tensor names and shapes of a BERT/RoBERTa masked-LM checkpoint, for both naming schemes
/// (`bert.*` + `cls.predictions.*`, `roberta.*` + `lm_head.*`).
public struct CheckpointSchema: Sendable {
    public let config: EncoderConfig

    public init(_ config: EncoderConfig) {
        self.config = config
    }

    private var hidden: Int { config.hiddenSize }
    private var prefix: String { config.namePrefix }

    public var embeddingTensors: [ExpectedTensor] {
        var tensors = [
            ExpectedTensor(name: "\(prefix).embeddings.word_embeddings.weight", shape: [config.vocabSize, hidden]),
            ExpectedTensor(name: "\(prefix).embeddings.position_embeddings.weight",
                           shape: [config.maxPositionEmbeddings, hidden]),
        ]
        if config.typeVocabSize > 0 {
            tensors.append(ExpectedTensor(name: "\(prefix).embeddings.token_type_embeddings.weight",
                                          shape: [config.typeVocabSize, hidden]))
        }
        tensors += layerNorm("\(prefix).embeddings.LayerNorm")
        return tensors
    }

    /// `<prefix>.encoder.layer.<index>.`: every tensor of one transformer layer.
    public func layerPrefix(_ index: Int) -> String { "\(prefix).encoder.layer.\(index)." }

    /// One layer's tensors in the order transformers defines them.
    public func layerTensors(_ index: Int) -> [ExpectedTensor] {
        let layer = layerPrefix(index)
        let intermediate = config.intermediateSize
        var tensors: [ExpectedTensor] = []
        for projection in ["query", "key", "value"] {
            tensors += linear("\(layer)attention.self.\(projection)", out: hidden, in: hidden)
        }
        tensors += linear("\(layer)attention.output.dense", out: hidden, in: hidden)
        tensors += layerNorm("\(layer)attention.output.LayerNorm")
        tensors += linear("\(layer)intermediate.dense", out: intermediate, in: hidden)
        tensors += linear("\(layer)output.dense", out: hidden, in: intermediate)
        tensors += layerNorm("\(layer)output.LayerNorm")
        return tensors
    }

    /// θ: every tensor under `encoder.layer.*`, layer by layer.
    public var thetaTensors: [ExpectedTensor] {
        (0..<config.numLayers).flatMap(layerTensors)
    }

    /// θ as one contiguous layout (the Fisher accumulators' and Fisher files' order).
    public var thetaLayout: TensorLayout {
        TensorLayout(thetaTensors.map { (name: $0.name, shape: $0.shape) })
    }

    /// The MLM head's transform (dense + LayerNorm) before the vocabulary projection.
    public var headTransformTensors: [ExpectedTensor] {
        switch config.family {
        case .roberta: return linear("lm_head.dense", out: hidden, in: hidden) + layerNorm("lm_head.layer_norm")
        case .bert:
            return linear("cls.predictions.transform.dense", out: hidden, in: hidden)
                + layerNorm("cls.predictions.transform.LayerNorm")
        }
    }

    /// The vocabulary projection; usually absent from the file because it is tied to the word embeddings.
    public var decoderWeight: ExpectedTensor {
        let head = config.family == .roberta ? "lm_head" : "cls.predictions"
        return ExpectedTensor(name: "\(head).decoder.weight", shape: [config.vocabSize, hidden])
    }

    /// The output bias: transformers saves it as `<head>.bias`, some writers as `<head>.decoder.bias`.
    public var decoderBiasCandidates: [ExpectedTensor] {
        let head = config.family == .roberta ? "lm_head" : "cls.predictions"
        return ["\(head).bias", "\(head).decoder.bias"].map { ExpectedTensor(name: $0, shape: [config.vocabSize]) }
    }

    private func linear(_ name: String, out: Int, in input: Int) -> [ExpectedTensor] {
        [ExpectedTensor(name: "\(name).weight", shape: [out, input]), ExpectedTensor(name: "\(name).bias", shape: [out])]
    }

    private func layerNorm(_ name: String) -> [ExpectedTensor] {
        [ExpectedTensor(name: "\(name).weight", shape: [hidden]), ExpectedTensor(name: "\(name).bias", shape: [hidden])]
    }
}
