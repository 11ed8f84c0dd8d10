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

    /// Loads a validated checkpoint, converting every tensor straight into its final buffer.
    public convenience init(checkpoint: Checkpoint) throws {
        let store = checkpoint.weights
        try self.init(config: checkpoint.config,
                      source: TensorSource(contains: { store.info($0) != nil },
                                           read: { try store.readFloats($0, into: $1) }))
    }

    /// Builds the model from arrays: `tensor(name)` returns the tensor's values in PyTorch's row-major
    /// layout, or nil when there is no tensor of that name.
    public convenience init(config: EncoderConfig, tensor: @escaping (String) throws -> [Float]?) throws {
        try self.init(config: config, source: TensorSource(
            contains: { (try? tensor($0)) != nil },
            read: { name, destination in
                guard let values = try tensor(name) else { throw InputError("missing tensor \(name)") }
                guard values.count == destination.count else {
                    throw InputError("tensor \(name) has \(values.count) values, config.json implies \(destination.count)")
                }
                _ = destination.update(fromContentsOf: values)
            }))
    }

    init(config: EncoderConfig, source: TensorSource) throws {
        self.config = config
        let h = config.hiddenSize, v = config.vocabSize
        let names = ParameterNames(config: config)
        func load(_ name: String, count: Int) throws -> FloatBuffer {
            let buffer = FloatBuffer(count: count)
            guard source.contains(name) else { throw InputError("missing tensor \(name)") }
            try source.read(name, UnsafeMutableBufferPointer(start: buffer.pointer, count: count))
            return buffer
        }

        let layout = Self.thetaLayout(config: config)
        let block = FloatBuffer(count: layout.totalCount)
        for entry in layout.entries {
            guard source.contains(entry.name) else { throw InputError("missing tensor \(entry.name)") }
            try source.read(entry.name, UnsafeMutableBufferPointer(start: block.pointer + entry.offset, count: entry.count))
        }
        thetaLayout = layout
        theta = block
        layers = (0..<config.numLayers).map { LayerParameterOffsets(layout: layout, names: names, layer: $0) }

        wordEmbeddings = try load(names.embedding("word_embeddings.weight"), count: v * h)
        positionEmbeddings = try load(names.embedding("position_embeddings.weight"),
                                      count: config.maxPositionEmbeddings * h)
        if config.typeVocabSize > 0 {
            let table = try load(names.embedding("token_type_embeddings.weight"), count: config.typeVocabSize * h)
            tokenTypeEmbedding = FloatBuffer(Array(UnsafeBufferPointer(start: table.pointer, count: h)))
        } else {
            tokenTypeEmbedding = FloatBuffer(count: h)
        }
        embeddingNormWeight = try load(names.embedding("LayerNorm.weight"), count: h)
        embeddingNormBias = try load(names.embedding("LayerNorm.bias"), count: h)

        headDenseWeight = try load(names.head.denseWeight, count: h * h)
        headDenseBias = try load(names.head.denseBias, count: h)
        headNormWeight = try load(names.head.normWeight, count: h)
        headNormBias = try load(names.head.normBias, count: h)
        decoderWeight = source.contains(names.head.decoderWeight)
            ? try load(names.head.decoderWeight, count: v * h) : wordEmbeddings
        guard let biasName = names.head.decoderBiasCandidates.first(where: source.contains) else {
            throw InputError("missing tensor \(names.head.decoderBiasCandidates[0])")
        }
        decoderBias = try load(biasName, count: v)
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

/// Where weights come from: whether a tensor exists, and reading it (converted to Float, exactly
/// `destination.count` values in PyTorch's row-major layout) into its final place.
struct TensorSource {
    var contains: (String) -> Bool
    var read: (String, UnsafeMutableBufferPointer<Float>) throws -> Void
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
