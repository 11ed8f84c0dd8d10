import XSNSStorage

/// Every weight of a BERT/RoBERTa masked-LM, with θ (all tensors under `encoder.layer.*`) in one
/// contiguous block laid out by `thetaLayout` under the checkpoint's exact tensor names.
public final class EncoderParameters {
    public let config: EncoderConfig
    public let thetaLayout: TensorLayout
    let theta: FloatBuffer
    let layers: [LayerParameterOffsets]

    let wordEmbeddings: FloatBuffer
    let positionEmbeddings: FloatBuffer
    /// Row 0 of the token type table (all zeros when the model has none): every token has type 0.
    let tokenTypeEmbedding: FloatBuffer
    let embeddingNormWeight: FloatBuffer
    let embeddingNormBias: FloatBuffer

    let headDenseWeight: FloatBuffer
    let headDenseBias: FloatBuffer
    let headNormWeight: FloatBuffer
    let headNormBias: FloatBuffer
    /// The word embeddings themselves when the checkpoint ties the decoder (and omits it).
    let decoderWeight: FloatBuffer
    let decoderBias: FloatBuffer

    /// Builds the model from a tensor source: `tensor(name)` returns the tensor's values in PyTorch's
    /// row-major layout, or nil when the checkpoint has no tensor of that name.
    public init(config: EncoderConfig, tensor: (String) throws -> [Float]?) throws {
        self.config = config
        let h = config.hiddenSize, v = config.vocabSize
        let names = ParameterNames(config: config)

        func load(_ name: String, _ shape: [Int]) throws -> [Float] {
            guard let values = try tensor(name) else { throw InputError("missing tensor \(name)") }
            let expected = shape.reduce(1, *)
            guard values.count == expected else {
                throw InputError("tensor \(name) has \(values.count) values, expected shape \(shape) from config.json")
            }
            return values
        }
        func loadFirst(_ candidates: [String], _ shape: [Int]) throws -> [Float] {
            for name in candidates where try tensor(name) != nil { return try load(name, shape) }
            throw InputError("missing tensor \(candidates[0])")
        }

        let layout = Self.thetaLayout(config: config)
        let block = FloatBuffer(count: layout.totalCount)
        for entry in layout.entries {
            let values = try load(entry.name, entry.shape)
            values.withUnsafeBufferPointer { source in
                if let base = source.baseAddress { (block.pointer + entry.offset).update(from: base, count: entry.count) }
            }
        }
        thetaLayout = layout
        theta = block
        layers = (0..<config.numLayers).map { LayerParameterOffsets(layout: layout, names: names, layer: $0) }

        wordEmbeddings = FloatBuffer(try load(names.embedding("word_embeddings.weight"), [v, h]))
        positionEmbeddings = FloatBuffer(try load(names.embedding("position_embeddings.weight"),
                                                  [config.maxPositionEmbeddings, h]))
        if config.typeVocabSize > 0 {
            let table = try load(names.embedding("token_type_embeddings.weight"), [config.typeVocabSize, h])
            tokenTypeEmbedding = FloatBuffer(Array(table[0..<h]))
        } else {
            tokenTypeEmbedding = FloatBuffer(count: h)
        }
        embeddingNormWeight = FloatBuffer(try load(names.embedding("LayerNorm.weight"), [h]))
        embeddingNormBias = FloatBuffer(try load(names.embedding("LayerNorm.bias"), [h]))

        headDenseWeight = FloatBuffer(try load(names.head.denseWeight, [h, h]))
        headDenseBias = FloatBuffer(try load(names.head.denseBias, [h]))
        headNormWeight = FloatBuffer(try load(names.head.normWeight, [h]))
        headNormBias = FloatBuffer(try load(names.head.normBias, [h]))
        if let untied = try tensor(names.head.decoderWeight) {
            guard untied.count == v * h else {
                throw InputError("tensor \(names.head.decoderWeight) has \(untied.count) values, expected shape [\(v), \(h)]")
            }
            decoderWeight = FloatBuffer(untied)
        } else {
            decoderWeight = wordEmbeddings
        }
        decoderBias = FloatBuffer(try loadFirst(names.head.decoderBiasCandidates, [v]))
    }

    /// θ in checkpoint order: per layer query, key, value, attention output dense and LayerNorm,
    /// intermediate dense, output dense and LayerNorm (weights before biases).
    public static func thetaLayout(config: EncoderConfig) -> TensorLayout {
        let h = config.hiddenSize, i = config.intermediateSize
        let names = ParameterNames(config: config)
        var layout = TensorLayout()
        for layer in 0..<config.numLayers {
            for (suffix, shape) in [
                ("attention.self.query.weight", [h, h]), ("attention.self.query.bias", [h]),
                ("attention.self.key.weight", [h, h]), ("attention.self.key.bias", [h]),
                ("attention.self.value.weight", [h, h]), ("attention.self.value.bias", [h]),
                ("attention.output.dense.weight", [h, h]), ("attention.output.dense.bias", [h]),
                ("attention.output.LayerNorm.weight", [h]), ("attention.output.LayerNorm.bias", [h]),
                ("intermediate.dense.weight", [i, h]), ("intermediate.dense.bias", [i]),
                ("output.dense.weight", [h, i]), ("output.dense.bias", [h]),
                ("output.LayerNorm.weight", [h]), ("output.LayerNorm.bias", [h]),
            ] {
                layout.append(name: names.layer(layer, suffix), shape: shape)
            }
        }
        return layout
    }

    /// θ's current values (a copy).
    public var thetaValues: FlatTensors { FlatTensors(layout: thetaLayout, values: theta.array) }
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
