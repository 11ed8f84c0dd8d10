/// Everything the forward pass keeps for the backward pass, for `rows` packed tokens
/// (the sequences of one gradient unit, one after another, without padding).
/// Reallocated only when a larger unit arrives.
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
        layerInput = FloatBuffer(count: (layers + 1) * rh)
        embeddingNormInput = FloatBuffer(count: rh)
        embeddingNormMean = FloatBuffer(count: rows)
        embeddingNormRstd = FloatBuffer(count: rows)
        embeddingKeep = ByteBuffer(count: dropout ? rh : 0)
        query = FloatBuffer(count: perLayer)
        key = FloatBuffer(count: perLayer)
        value = FloatBuffer(count: perLayer)
        context = FloatBuffer(count: perLayer)
        attentionNormInput = FloatBuffer(count: perLayer)
        outputNormInput = FloatBuffer(count: perLayer)
        attentionNormOutput = FloatBuffer(count: perLayer)
        attentionNormMean = FloatBuffer(count: layers * rows)
        attentionNormRstd = FloatBuffer(count: layers * rows)
        outputNormMean = FloatBuffer(count: layers * rows)
        outputNormRstd = FloatBuffer(count: layers * rows)
        intermediatePre = FloatBuffer(count: layers * rows * intermediate)
        intermediateAct = FloatBuffer(count: rows * intermediate)
        probabilities = FloatBuffer(count: layers * probabilityCount)
        attentionKeep = ByteBuffer(count: dropout ? layers * probabilityCount : 0)
        attentionOutputKeep = ByteBuffer(count: dropout ? perLayer : 0)
        outputKeep = ByteBuffer(count: dropout ? perLayer : 0)
        self.adapterBottleneck = adapterBottleneck
        let adapted = adapterBottleneck > 0
        adapterSum = FloatBuffer(count: adapted ? perLayer : 0)
        adapterNormalised = FloatBuffer(count: adapted ? perLayer : 0)
        adapterMean = FloatBuffer(count: adapted ? layers * rows : 0)
        adapterRstd = FloatBuffer(count: adapted ? layers * rows : 0)
        adapterHidden = FloatBuffer(count: layers * rows * adapterBottleneck)
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
