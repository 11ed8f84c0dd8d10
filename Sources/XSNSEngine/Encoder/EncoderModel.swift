import XSNSStorage

/// Forward and backward of a post-LayerNorm BERT/RoBERTa encoder with its masked-LM head, on packed
/// sequences: the tokens of all sequences of a gradient unit are stacked as rows, so every projection is
/// one GEMM over the whole unit, while attention runs per sequence (equivalent to Hugging Face's right
/// padding with an attention mask, without computing the padding).
public final class EncoderModel {
    public let parameters: EncoderParameters
    var config: EncoderConfig { parameters.config }
    private var activations: EncoderActivations?
    let scratch = ScratchBuffer()
    /// Holds one θ tensor's gradient at a time on its way to the sink.
    let tensorGradient: FloatBuffer
    let head: MaskedLMHead

    /// Attention heads switched off, [layers × heads] row by row, 1 = on, 0 = off (nil: every head on): an
    /// off head's context is zeroed before the attention output projection, as Hugging Face's `head_mask`
    /// does, so nothing flows through it (its Q, K, V and output columns get no gradient); its gate gets
    /// ∂L/∂ξ_h at ξ_h = 0, as with Hugging Face's mask.
    public var headMask: [Float]? {
        didSet { precondition(headMask.map { $0.count == config.numLayers * config.numHeads } ?? true, "head mask shape") }
    }

    /// Whether the forward and backward passes run the parameters' adapters (when they have any): a task
    /// adapter stays in the block while the base model is fine-tuned without it (the transfer probe).
    public var adaptersEnabled = true

    /// Set by the Fisher estimator around a pass whose sentences it sketches (`GradientSketch`).
    var sketchTarget: SketchTarget?

    /// Threads for every kernel (OpenBLAS itself runs single-threaded under them, see `Parallel`).
    public var threads: Int
    /// The kernels' thread split (also for the training module's work on the parameter block).
    package var parallel: Parallel { Parallel(threads: threads) }

    /// `threads` defaults to OpenBLAS's current setting (`BLASThreads.set(n)` before creating the model).
    public init(parameters: EncoderParameters, threads: Int? = nil) {
        self.threads = max(1, threads ?? BLASThreads.current)
        self.parameters = parameters
        head = MaskedLMHead(parameters: parameters)
        let c = parameters.config
        tensorGradient = FloatBuffer(count: c.hiddenSize * max(c.hiddenSize, c.intermediateSize) + c.intermediateSize)
    }

    /// Forward only, dropout off, no masking: the mean over positions (special tokens included) of the
    /// last layer's hidden states.
    public func meanPooledLastHiddenState(_ ids: [Int32]) throws -> [Float] {
        try meanPooledLastHiddenStates([ids])[0]
    }

    /// `meanPooledLastHiddenState` for several sequences in one packed pass (larger GEMMs).
    public func meanPooledLastHiddenStates(_ batch: [[Int32]]) throws -> [[Float]] {
        guard !batch.isEmpty else { return [] }
        var unused = [SeededRandom(seed: 0)]
        let state = try BLASThreads.singleThreaded {
            try forward(batch, groups: .whole(batch.count), dropout: false, streams: &unused, keepsLayers: false)
        }
        let h = config.hiddenSize
        var row = UnsafePointer(state.lastHidden)
        return batch.map { ids in
            var mean = [Double](repeating: 0, count: h)
            for _ in ids {
                for j in 0..<h { mean[j] += Double(row[j]) }
                row += h
            }
            return mean.map { Float($0 / Double(ids.count)) }
        }
    }

    /// Throws an `InputError` unless the model can run `ids`: non-empty, within the position table, every
    /// id in the vocabulary.
    public func validate(_ ids: [Int32]) throws {
        let c = config
        guard !ids.isEmpty else { throw InputError("empty sequence") }
        guard ids.count <= c.positionLimit else {
            throw InputError("sequence of \(ids.count) tokens exceeds the model's \(c.positionLimit) positions")
        }
        for id in ids where id < 0 || Int(id) >= c.vocabSize {
            throw InputError("token id \(id) is outside the vocabulary (size \(c.vocabSize))")
        }
    }

    /// Layer l's adapter (nil when the model has none).
    func adapterWeights(layer l: Int) -> BottleneckAdapter.Weights? {
        let o = parameters.offsets
        guard adaptersEnabled, l < o.adapters.count else { return nil }
        let adapter = o.adapters[l], block = UnsafePointer(parameters.values.pointer)
        let theta = UnsafePointer(parameters.theta.pointer), w = parameters.layers[l]
        return BottleneckAdapter.Weights(
            down: block + adapter.downWeight, downBias: block + adapter.downBias, up: block + adapter.upWeight,
            upBias: block + adapter.upBias, bottleneck: adapter.bottleneck, normWeight: theta + w.outputNormWeight,
            normBias: theta + w.outputNormBias, epsilon: config.layerNormEps)
    }

    /// Zeroes the columns of layer `layer`'s switched-off heads in a [rows × hidden] buffer.
    func maskHeads(_ buffer: UnsafeMutablePointer<Float>, layer: Int, rows: Int) {
        guard let headMask else { return }
        let h = config.hiddenSize, d = config.headDim
        for head in 0..<config.numHeads where headMask[layer * config.numHeads + head] == 0 {
            for row in 0..<rows { (buffer + row * h + head * d).update(repeating: 0, count: d) }
        }
    }

    // MARK: - Forward

    struct ForwardState {
        let activations: EncoderActivations
        let sequences: [[Int32]]
        /// Each sequence's token types (nil: all 0).
        let types: [[Int32]?]
        let lengths: [Int]
        let rows: Int
        let attention: SelfAttention
        let hiddenDropout: Float
        /// The last layer's output, [rows × hidden].
        let lastHidden: UnsafeMutablePointer<Float>
    }

    func forward(_ sequences: [[Int32]], types: [[Int32]?]? = nil, dropout: Bool, random: inout SeededRandom) throws
        -> ForwardState
    {
        var streams = [random]
        defer { random = streams[0] }
        return try forward(sequences, types: types, groups: .whole(sequences.count), dropout: dropout, streams: &streams)
    }

    /// With dropout, each group's rows draw from `streams[group]` (one stream per group).
    /// Without `keepsLayers` (a forward pass that no backward pass follows, e.g. EMB's), every layer reuses
    /// the first layer's buffers and two alternating hidden-state slots: the pass then works in ~1/12 of
    /// the memory, much of it in cache, instead of writing every layer's activations out to memory.
    func forward(_ sequences: [[Int32]], types: [[Int32]?]? = nil, groups: SequenceGroups, dropout: Bool,
                 streams: inout [SeededRandom], keepsLayers: Bool = true) throws -> ForwardState
    {
        let c = config
        let h = c.hiddenSize, inter = c.intermediateSize
        for ids in sequences { try validate(ids) }
        let types = types ?? [[Int32]?](repeating: nil, count: sequences.count)
        precondition(types.count == sequences.count, "one type list (or nil) per sequence")
        for (ids, typeIds) in zip(sequences, types) { try validate(types: typeIds, of: ids) }
        let lengths = sequences.map(\.count)
        let rows = lengths.reduce(0, +)
        let attention = SelfAttention(heads: c.numHeads, headDim: c.headDim,
                                      dropoutProbability: dropout ? c.attentionDropout : 0)
        let probabilityCount = lengths.reduce(0) { $0 + attention.probabilityCount(length: $1) }
        let hiddenDropout = dropout ? c.hiddenDropout : 0
        let needsKeep = dropout && (c.attentionDropout > 0 || c.hiddenDropout > 0)
        precondition(needsKeep ? streams.count == groups.count : !streams.isEmpty, "one dropout stream per gradient group")
        let groupRows = groups.rowRanges(lengths: lengths)
        if activations?.fits(rows: rows, probabilityCount: probabilityCount, dropout: needsKeep) != true {
            // A larger set grows by a quarter at least and keeps dropout masks once a pass needed them: packed
            // passes vary in size (and the EMB pass has none), and every new set is fresh pages that the
            // kernel clears on first touch (~1 s per GB here; a pass of ~1,000 XLM-R-base rows holds ~450 MB).
            let (grownRows, grownProbabilities) = ((activations?.rows ?? 0) * 5 / 4, (activations?.probabilityCount ?? 0) * 5 / 4)
            let keptMasks = activations?.hasDropoutMasks ?? false
            activations = nil  // release before allocating the larger set
            activations = EncoderActivations(config: c, rows: max(rows, grownRows),
                                             probabilityCount: max(probabilityCount, grownProbabilities),
                                             dropout: needsKeep || keptMasks,
                                             adapterBottleneck: parameters.offsets.adapters.first?.bottleneck ?? 0)
        }
        guard let a = activations else { throw RuntimeFailure("activation buffers unavailable") }
        precondition(keepsLayers || !needsKeep, "a pass with dropout keeps its layers for the backward pass")
        let p = parameters
        let stride = a.rows * h
        /// Where layer l's saved values go, and which hidden-state slot is its input (l + 1: its output).
        func slot(_ l: Int) -> Int { keepsLayers ? l : 0 }
        func hiddenSlot(_ l: Int) -> Int { keepsLayers ? l : l % 2 }
        /// Hidden dropout on [rows × hidden] values, each group's rows from its own stream.
        func dropHidden(_ values: UnsafeMutablePointer<Float>, keep: UnsafeMutablePointer<UInt8>) {
            guard needsKeep else { return }
            for (group, range) in groupRows.enumerated() {
                Dropout.forward(values + range.start * h, keep: keep + range.start * h, count: range.length * h,
                                probability: hiddenDropout, random: &streams[group])
            }
        }

        var row = 0
        for (ids, typeIds) in zip(sequences, types) {
            ids.withUnsafeBufferPointer { buffer in
                Self.withTypes(typeIds) { typeBuffer in
                    Embeddings.forward(output: a.embeddingNormInput.pointer + row * h, ids: buffer, types: typeBuffer,
                                       word: p.wordEmbeddings.pointer, position: p.positionEmbeddings.pointer,
                                       tokenType: p.tokenTypeEmbedding.pointer, positionOffset: c.positionOffset,
                                       width: h)
                }
            }
            row += ids.count
        }
        LayerNorm.forward(output: a.layerInput.pointer, mean: a.embeddingNormMean.pointer,
                          reciprocalStd: a.embeddingNormRstd.pointer, input: a.embeddingNormInput.pointer,
                          weight: p.embeddingNormWeight.pointer, bias: p.embeddingNormBias.pointer,
                          rows: rows, width: h, epsilon: c.layerNormEps, parallel: parallel)
        dropHidden(a.layerInput.pointer, keep: a.embeddingKeep.pointer)

        for l in 0..<c.numLayers {
            let w = p.layers[l], theta = p.theta.pointer
            let x = a.layerInput.pointer + hiddenSlot(l) * stride, saved = slot(l) * stride
            let q = a.query.pointer + saved, k = a.key.pointer + saved, v = a.value.pointer + saved
            let ctx = a.context.pointer + saved
            Linear.forward(output: q, input: x, weight: theta + w.query, bias: theta + w.queryBias,
                           rows: rows, inFeatures: h, outFeatures: h, parallel: parallel)
            Linear.forward(output: k, input: x, weight: theta + w.key, bias: theta + w.keyBias,
                           rows: rows, inFeatures: h, outFeatures: h, parallel: parallel)
            Linear.forward(output: v, input: x, weight: theta + w.value, bias: theta + w.valueBias,
                           rows: rows, inFeatures: h, outFeatures: h, parallel: parallel)
            var start = 0, probabilityOffset = slot(l) * a.probabilityCount
            for (index, length) in lengths.enumerated() {
                let o = start * h
                attention.forward(context: ctx + o, probabilities: a.probabilities.pointer + probabilityOffset,
                                  keep: a.attentionKeep.pointer + (needsKeep ? probabilityOffset : 0),
                                  query: q + o, key: k + o, value: v + o, length: length, scratch: scratch,
                                  random: &streams[needsKeep ? groups.groupOfSequence[index] : 0], parallel: parallel)
                start += length
                probabilityOffset += attention.probabilityCount(length: length)
            }
            maskHeads(ctx, layer: l, rows: rows)

            let normIn1 = a.attentionNormInput.pointer + saved
            Linear.forward(output: normIn1, input: ctx, weight: theta + w.attentionOutput,
                           bias: theta + w.attentionOutputBias, rows: rows, inFeatures: h, outFeatures: h, parallel: parallel)
            dropHidden(normIn1, keep: a.attentionOutputKeep.pointer + (needsKeep ? l * stride : 0))
            for i in 0..<(rows * h) { normIn1[i] += x[i] }
            let h1 = a.attentionNormOutput.pointer + saved
            LayerNorm.forward(output: h1, mean: a.attentionNormMean.pointer + slot(l) * a.rows,
                              reciprocalStd: a.attentionNormRstd.pointer + slot(l) * a.rows, input: normIn1,
                              weight: theta + w.attentionNormWeight, bias: theta + w.attentionNormBias,
                              rows: rows, width: h, epsilon: c.layerNormEps, parallel: parallel)

            let pre = a.intermediatePre.pointer + slot(l) * a.rows * inter
            let act = a.intermediateAct.pointer
            Linear.forward(output: pre, input: h1, weight: theta + w.intermediate, bias: theta + w.intermediateBias,
                           rows: rows, inFeatures: h, outFeatures: inter, parallel: parallel)
            GELU.forward(output: act, input: pre, count: rows * inter, parallel: parallel)
            let normIn2 = a.outputNormInput.pointer + saved
            Linear.forward(output: normIn2, input: act, weight: theta + w.output, bias: theta + w.outputBias,
                           rows: rows, inFeatures: inter, outFeatures: h, parallel: parallel)
            dropHidden(normIn2, keep: a.outputKeep.pointer + (needsKeep ? l * stride : 0))
            for i in 0..<(rows * h) { normIn2[i] += h1[i] }
            if let adapter = adapterWeights(layer: l) {
                BottleneckAdapter.forward(sum: normIn2, saved: a.adapterSaved(layer: slot(l)), weights: adapter, rows: rows,
                                          width: h, work: scratch.pointer(atLeast: rows * h), parallel: parallel)
            }
            LayerNorm.forward(output: a.layerInput.pointer + hiddenSlot(l + 1) * stride,
                              mean: a.outputNormMean.pointer + slot(l) * a.rows,
                              reciprocalStd: a.outputNormRstd.pointer + slot(l) * a.rows, input: normIn2,
                              weight: theta + w.outputNormWeight, bias: theta + w.outputNormBias,
                              rows: rows, width: h, epsilon: c.layerNormEps, parallel: parallel)
        }
        return ForwardState(activations: a, sequences: sequences, types: types, lengths: lengths, rows: rows,
                            attention: attention, hiddenDropout: hiddenDropout,
                            lastHidden: a.layerInput.pointer + hiddenSlot(c.numLayers) * stride)
    }
}
