import XSNSStorage

/// The parts of a model that can be trained (or frozen) together.
public enum ParameterGroup: String, CaseIterable, Sendable {
    /// Word (and, tied, the MLM decoder), position and token type embeddings and their LayerNorm.
    case embeddings
    /// θ: every tensor under `encoder.layer.*`.
    case theta
    /// The MLM head's dense layer, LayerNorm and decoder bias (and the decoder weight when untied).
    case head
    /// Bottleneck adapters, when the model has them.
    case adapters
}

/// Checkpoint tensor names for both naming schemes (`roberta.*` + `lm_head.*`, `bert.*` + `cls.predictions.*`).
struct ParameterNames {
    struct Head {
        var denseWeight, denseBias, normWeight, normBias, decoderWeight: String
        var decoderBiasCandidates: [String]
    }

    let prefix: String
    let head: Head

    init(config: EncoderConfig) {
        prefix = config.namePrefix
        switch config.family {
        case .roberta:
            head = Head(denseWeight: "lm_head.dense.weight", denseBias: "lm_head.dense.bias",
                        normWeight: "lm_head.layer_norm.weight", normBias: "lm_head.layer_norm.bias",
                        decoderWeight: "lm_head.decoder.weight",
                        decoderBiasCandidates: ["lm_head.bias", "lm_head.decoder.bias"])
        case .bert:
            let base = "cls.predictions"
            head = Head(denseWeight: "\(base).transform.dense.weight", denseBias: "\(base).transform.dense.bias",
                        normWeight: "\(base).transform.LayerNorm.weight",
                        normBias: "\(base).transform.LayerNorm.bias",
                        decoderWeight: "\(base).decoder.weight",
                        decoderBiasCandidates: ["\(base).bias", "\(base).decoder.bias"])
        }
    }

    func layer(_ index: Int, _ suffix: String) -> String { "\(prefix).encoder.layer.\(index).\(suffix)" }
    func embedding(_ suffix: String) -> String { "\(prefix).embeddings.\(suffix)" }
}

/// Where each tensor of one layer sits in the θ block (and in any buffer with θ's layout).
struct LayerParameterOffsets {
    let query, queryBias, key, keyBias, value, valueBias: Int
    let attentionOutput, attentionOutputBias, attentionNormWeight, attentionNormBias: Int
    let intermediate, intermediateBias, output, outputBias, outputNormWeight, outputNormBias: Int

    init(layout: TensorLayout, names: ParameterNames, layer: Int) {
        func offset(_ suffix: String) -> Int {
            guard let entry = layout[names.layer(layer, suffix)] else {
                preconditionFailure("θ layout lacks \(suffix)")  // the layout is built from the same names
            }
            return entry.offset
        }
        query = offset("attention.self.query.weight"); queryBias = offset("attention.self.query.bias")
        key = offset("attention.self.key.weight"); keyBias = offset("attention.self.key.bias")
        value = offset("attention.self.value.weight"); valueBias = offset("attention.self.value.bias")
        attentionOutput = offset("attention.output.dense.weight")
        attentionOutputBias = offset("attention.output.dense.bias")
        attentionNormWeight = offset("attention.output.LayerNorm.weight")
        attentionNormBias = offset("attention.output.LayerNorm.bias")
        intermediate = offset("intermediate.dense.weight"); intermediateBias = offset("intermediate.dense.bias")
        output = offset("output.dense.weight"); outputBias = offset("output.dense.bias")
        outputNormWeight = offset("output.LayerNorm.weight"); outputNormBias = offset("output.LayerNorm.bias")
    }
}

/// Where the tensors outside θ sit in the whole block (`EncoderParameters.layout`).
struct ModelOffsets {
    let wordEmbeddings, positionEmbeddings, embeddingNormWeight, embeddingNormBias: Int
    let tokenTypeEmbeddings: Int?
    let headDenseWeight, headDenseBias, headNormWeight, headNormBias, decoderWeight, decoderBias: Int
    /// The decoder weight is the word embedding matrix (its gradient belongs to the embeddings).
    let decoderTied: Bool
    let adapters: [AdapterOffsets]
    let total: Int

    init(layout: TensorLayout, names: ParameterNames, decoderBias biasName: String, adapter: AdapterSpec?) {
        func offset(_ name: String) -> Int {
            guard let entry = layout[name] else { preconditionFailure("layout lacks \(name)") }
            return entry.offset
        }
        wordEmbeddings = offset(names.embedding("word_embeddings.weight"))
        positionEmbeddings = offset(names.embedding("position_embeddings.weight"))
        tokenTypeEmbeddings = layout[names.embedding("token_type_embeddings.weight")]?.offset
        embeddingNormWeight = offset(names.embedding("LayerNorm.weight"))
        embeddingNormBias = offset(names.embedding("LayerNorm.bias"))
        headDenseWeight = offset(names.head.denseWeight)
        headDenseBias = offset(names.head.denseBias)
        headNormWeight = offset(names.head.normWeight)
        headNormBias = offset(names.head.normBias)
        decoderTied = layout[names.head.decoderWeight] == nil
        decoderWeight = decoderTied ? wordEmbeddings : offset(names.head.decoderWeight)
        decoderBias = offset(biasName)
        adapters = adapter.map { spec in
            (0..<names.layerCount(in: layout)).map { AdapterOffsets(layout: layout, names: names, spec: spec, layer: $0) }
        } ?? []
        total = layout.totalCount
    }

    /// The block ranges of a group (empty when the model has no such part).
    func ranges(_ group: ParameterGroup, thetaRange: Range<Int>) -> [Range<Int>] {
        let adapterStart = adapters.first?.downWeight ?? total
        switch group {
        case .embeddings: return [0..<thetaRange.lowerBound]
        case .theta: return [thetaRange]
        case .head: return [thetaRange.upperBound..<adapterStart]
        case .adapters: return adapters.isEmpty ? [] : [adapterStart..<total]
        }
    }
}

extension ParameterNames {
    /// How many layers the layout holds (counted by their output LayerNorm).
    func layerCount(in layout: TensorLayout) -> Int {
        var count = 0
        while layout[layer(count, "output.LayerNorm.weight")] != nil { count += 1 }
        return count
    }
}

extension EncoderParameters {
    /// The block ranges that belong to one attention head: its rows of the query, key and value weights
    /// and their biases, and its input columns of the attention output weight (one range per row there).
    public func ranges(ofHead head: Int, layer: Int) -> [Range<Int>] {
        precondition(layer >= 0 && layer < layers.count && head >= 0 && head < config.numHeads)
        let offsets = layers[layer], h = config.hiddenSize, d = config.headDim, base = thetaRange.lowerBound
        var ranges: [Range<Int>] = []
        for weight in [offsets.query, offsets.key, offsets.value] {
            ranges.append((base + weight + head * d * h)..<(base + weight + (head + 1) * d * h))
        }
        for bias in [offsets.queryBias, offsets.keyBias, offsets.valueBias] {
            ranges.append((base + bias + head * d)..<(base + bias + (head + 1) * d))
        }
        for row in 0..<h {
            let start = base + offsets.attentionOutput + row * h + head * d
            ranges.append(start..<(start + d))
        }
        return ranges
    }
}
