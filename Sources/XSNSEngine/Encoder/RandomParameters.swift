extension EncoderParameters {
    /// A model with random weights (for `xsns bench` and tests): matrices and embeddings uniform with deviation σ,
    /// biases small, LayerNorm weights near 1, the decoder tied to the word embeddings.
    public static func random(config: EncoderConfig, seed: UInt64, standardDeviation: Float = 0.02,
                              adapter: AdapterSpec? = nil) throws -> EncoderParameters
    {
        var random = SeededRandom(seed: seed)
        let source = TensorSource(
            contains: { randomTensorCount($0, config: config) != nil },
            read: { name, destination in
                let isNormWeight = name.hasSuffix("LayerNorm.weight") || name.hasSuffix("layer_norm.weight")
                let isBias = name.hasSuffix("bias")
                for i in destination.indices {
                    // Uniform with the requested deviation: cheap and identical on every platform.
                    let noise = (random.nextUnit() * 2 - 1) * 1.732_050_8 * standardDeviation
                    destination[i] = isNormWeight ? 1 + noise : (isBias ? noise * 0.5 : noise)
                }
            })
        return try EncoderParameters(config: config, source: source, adapter: adapter)
    }

    private static func randomTensorCount(_ name: String, config: EncoderConfig) -> Int? {
        let h = config.hiddenSize, v = config.vocabSize
        if let entry = thetaLayout(config: config)[name] { return entry.count }
        let names = ParameterNames(config: config)
        switch name {
        case names.embedding("word_embeddings.weight"): return v * h
        case names.embedding("position_embeddings.weight"): return config.maxPositionEmbeddings * h
        case names.embedding("token_type_embeddings.weight"): return config.typeVocabSize * h
        case names.embedding("LayerNorm.weight"), names.embedding("LayerNorm.bias"): return h
        case names.head.denseWeight: return h * h
        case names.head.denseBias, names.head.normWeight, names.head.normBias: return h
        case names.head.decoderBiasCandidates[0]: return v
        default: return nil
        }
    }
}
