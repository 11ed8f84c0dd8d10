/// Everything the forward pass keeps for the backward pass, for `rows` packed tokens
/// (the sequences of one gradient unit, one after another, without padding).
/// Reallocated only when a larger unit arrives.
///
/// What the forward pass keeps is left uninitialised: a pass writes every row it later reads, and zeroing
/// ~450 MB here would fault every fresh page on this one thread while the other waits. Those pages are
/// first touched inside the pass's split kernels instead. The gradient work areas start at zero.
final class EncoderActivations {
    let rows: Int
    let probabilityCount: Int
    let layers: Int, hidden: Int, intermediate: Int

    /// Layer inputs: index 0 is the embedding output, index l + 1 the output of layer l.
    let layerInput: FloatBuffer
    /// The embedding sum before its LayerNorm, the row statistics, and the embedding dropout's mask.
    let embeddingNormInput, embeddingNormMean, embeddingNormRstd: FloatBuffer
    let embeddingKeep: ByteBuffer
    let query, key, value, context: FloatBuffer
    /// Inputs of the two residual LayerNorms and their row statistics.
    let attentionNormInput, outputNormInput: FloatBuffer
    let attentionNormMean, attentionNormRstd, outputNormMean, outputNormRstd: FloatBuffer
    /// Output of the attention LayerNorm (the FFN input).
    let attentionNormOutput: FloatBuffer
    /// FFN pre-activations per layer; the GELU output is kept for one layer only (`intermediateAct`) and
    /// recomputed in the backward pass, which costs one erf per element and saves a quarter of the memory.
    let intermediatePre, intermediateAct: FloatBuffer
    let probabilities: FloatBuffer
    let attentionKeep, attentionOutputKeep, outputKeep: ByteBuffer

    /// Per layer, what the adapter's backward pass needs (empty without adapters).
    let adapterSum, adapterNormalised, adapterMean, adapterRstd, adapterHidden: FloatBuffer
    let adapterBottleneck: Int

    // Gradient work areas, one layer deep.
    let gradOut, gradA, gradB, gradQuery, gradKey, gradValue: FloatBuffer
    let gradIntermediate: FloatBuffer

    init(config: EncoderConfig, rows: Int, probabilityCount: Int, dropout: Bool, adapterBottleneck: Int = 0) {
        self.rows = rows
        self.probabilityCount = probabilityCount
        layers = config.numLayers
        hidden = config.hiddenSize
        intermediate = config.intermediateSize
        let rh = rows * hidden, perLayer = layers * rh
        layerInput = FloatBuffer(uninitializedCount: (layers + 1) * rh)
        embeddingNormInput = FloatBuffer(uninitializedCount: rh)
        embeddingNormMean = FloatBuffer(uninitializedCount: rows)
        embeddingNormRstd = FloatBuffer(uninitializedCount: rows)
        embeddingKeep = ByteBuffer(uninitializedCount: dropout ? rh : 0)
        query = FloatBuffer(uninitializedCount: perLayer)
        key = FloatBuffer(uninitializedCount: perLayer)
        value = FloatBuffer(uninitializedCount: perLayer)
        context = FloatBuffer(uninitializedCount: perLayer)
        attentionNormInput = FloatBuffer(uninitializedCount: perLayer)
        outputNormInput = FloatBuffer(uninitializedCount: perLayer)
        attentionNormOutput = FloatBuffer(uninitializedCount: perLayer)
        attentionNormMean = FloatBuffer(uninitializedCount: layers * rows)
        attentionNormRstd = FloatBuffer(uninitializedCount: layers * rows)
        outputNormMean = FloatBuffer(uninitializedCount: layers * rows)
        outputNormRstd = FloatBuffer(uninitializedCount: layers * rows)
        intermediatePre = FloatBuffer(uninitializedCount: layers * rows * intermediate)
        intermediateAct = FloatBuffer(uninitializedCount: rows * intermediate)
        probabilities = FloatBuffer(uninitializedCount: layers * probabilityCount)
        attentionKeep = ByteBuffer(uninitializedCount: dropout ? layers * probabilityCount : 0)
        attentionOutputKeep = ByteBuffer(uninitializedCount: dropout ? perLayer : 0)
        outputKeep = ByteBuffer(uninitializedCount: dropout ? perLayer : 0)
        self.adapterBottleneck = adapterBottleneck
        let adapted = adapterBottleneck > 0
        adapterSum = FloatBuffer(uninitializedCount: adapted ? perLayer : 0)
        adapterNormalised = FloatBuffer(uninitializedCount: adapted ? perLayer : 0)
        adapterMean = FloatBuffer(uninitializedCount: adapted ? layers * rows : 0)
        adapterRstd = FloatBuffer(uninitializedCount: adapted ? layers * rows : 0)
        adapterHidden = FloatBuffer(uninitializedCount: layers * rows * adapterBottleneck)
        gradOut = FloatBuffer(count: rh)
        gradA = FloatBuffer(count: rh)
        gradB = FloatBuffer(count: rh)
        gradQuery = FloatBuffer(count: rh)
        gradKey = FloatBuffer(count: rh)
        gradValue = FloatBuffer(count: rh)
        gradIntermediate = FloatBuffer(count: rows * intermediate)
    }

    /// Layer l's adapter buffers.
    func adapterSaved(layer l: Int) -> BottleneckAdapter.Saved {
        BottleneckAdapter.Saved(sum: adapterSum.pointer + l * rows * hidden, mean: adapterMean.pointer + l * rows,
                                reciprocalStd: adapterRstd.pointer + l * rows,
                                normalised: adapterNormalised.pointer + l * rows * hidden,
                                hidden: adapterHidden.pointer + l * rows * adapterBottleneck)
    }

    var hasDropoutMasks: Bool { attentionKeep.count > 0 }

    func fits(rows: Int, probabilityCount: Int, dropout: Bool) -> Bool {
        rows <= self.rows && probabilityCount <= self.probabilityCount
            && (!dropout || attentionKeep.count >= layers * probabilityCount)
    }
}
