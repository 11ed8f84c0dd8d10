import Foundation
import XSNSStorage

/// Every weight of a BERT/RoBERTa masked-LM in one contiguous block laid out by `layout` under the
/// checkpoint's exact tensor names: embeddings, then θ (all tensors under `encoder.layer.*`, itself
/// contiguous, `thetaRange`), then the MLM head, then any adapters. One block means gradients and
/// optimizer state share one layout with the parameters (the llm.c habit).
public final class EncoderParameters {
    public let config: EncoderConfig
    public let layout: TensorLayout
    /// θ alone, with offsets relative to θ's start (what Fisher files store).
    public let thetaLayout: TensorLayout
    public let thetaRange: Range<Int>
    public let adapter: AdapterSpec?
    let values: FloatBuffer
    let theta: FloatBuffer
    let layers: [LayerParameterOffsets]
    let offsets: ModelOffsets

    let wordEmbeddings: FloatBuffer
    let positionEmbeddings: FloatBuffer
    /// Row 0 of the token type table (zeros when the model has none): every token has type 0.
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

    /// Loads a validated checkpoint, converting every tensor straight into its place in the block.
    /// With `adapter`, bottleneck adapters are added: read from `adapterWeights` when it has them, else
    /// initialised.
    public convenience init(checkpoint: Checkpoint, adapter: AdapterSpec? = nil,
                            adapterWeights: ((String) throws -> [Float]?)? = nil) throws {
        let store = checkpoint.weights
        var source = TensorSource(contains: { store.info($0) != nil },
                                  read: { try store.readFloats($0, into: $1) },
                                  placement: { store.float32Placement($0) })
        if let adapterWeights { source = source.overlaid(by: TensorSource(arrays: adapterWeights)) }
        try self.init(config: checkpoint.config, source: source, adapter: adapter)
    }

    /// Builds the model from arrays: `tensor(name)` returns the tensor's values in PyTorch's row-major
    /// layout, or nil when there is no tensor of that name.
    public convenience init(config: EncoderConfig, adapter: AdapterSpec? = nil,
                            tensor: @escaping (String) throws -> [Float]?) throws {
        try self.init(config: config, source: TensorSource(arrays: tensor), adapter: adapter)
    }

    init(config: EncoderConfig, source: TensorSource, adapter: AdapterSpec? = nil) throws {
        self.config = config
        self.adapter = adapter
        let names = ParameterNames(config: config)
        let decoderBiasName = names.head.decoderBiasCandidates.first(where: source.contains)
            ?? names.head.decoderBiasCandidates[0]
        let tiedDecoder = !source.contains(names.head.decoderWeight)
        let built = Self.layout(config: config, decoderBias: decoderBiasName, tiedDecoder: tiedDecoder, adapter: adapter)
        let layout = built.layout
        self.layout = layout
        thetaRange = built.theta
        let thetaLayout = Self.thetaLayout(config: config)
        self.thetaLayout = thetaLayout
        // The entries cover the block, one after another. The first (the word embeddings) is mapped from the
        // checkpoint in place when it is stored as F32 with the expected size.
        let first = layout.entries[0]
        let mapped = source.placement?(first.name).flatMap { placement in
            placement.byteCount == first.count * MemoryLayout<Float>.stride
                ? FloatBuffer(uninitializedCount: layout.totalCount, leadingTensor: placement) : nil
        }
        let block = mapped ?? FloatBuffer(uninitializedCount: layout.totalCount)
        for entry in layout.entries {
            let destination = UnsafeMutableBufferPointer(start: block.pointer + entry.offset, count: entry.count)
            if mapped != nil && entry.name == first.name {
                continue  // already in place
            } else if source.contains(entry.name) {
                try source.read(entry.name, destination)
            } else if let adapter, adapter.owns(entry.name) {
                adapter.initialise(entry, destination)
            } else {
                throw InputError("missing tensor \(entry.name)")
            }
        }
        values = block
        let thetaRange = built.theta
        theta = FloatBuffer(viewing: block, offset: thetaRange.lowerBound, count: thetaRange.count)
        layers = (0..<config.numLayers).map { LayerParameterOffsets(layout: thetaLayout, names: names, layer: $0) }
        let offsets = ModelOffsets(layout: layout, names: names, decoderBias: decoderBiasName, adapter: adapter)
        self.offsets = offsets
        func view(_ offset: Int, _ count: Int) -> FloatBuffer { FloatBuffer(viewing: block, offset: offset, count: count) }
        let h = config.hiddenSize, v = config.vocabSize
        wordEmbeddings = view(offsets.wordEmbeddings, v * h)
        positionEmbeddings = view(offsets.positionEmbeddings, config.maxPositionEmbeddings * h)
        if let tokenType = offsets.tokenTypeEmbeddings {
            tokenTypeEmbedding = view(tokenType, max(1, config.typeVocabSize) * h)
        } else {
            tokenTypeEmbedding = FloatBuffer(count: h)
        }
        embeddingNormWeight = view(offsets.embeddingNormWeight, h)
        embeddingNormBias = view(offsets.embeddingNormBias, h)
        headDenseWeight = view(offsets.headDenseWeight, h * h)
        headDenseBias = view(offsets.headDenseBias, h)
        headNormWeight = view(offsets.headNormWeight, h)
        headNormBias = view(offsets.headNormBias, h)
        decoderWeight = view(offsets.decoderWeight, v * h)
        decoderBias = view(offsets.decoderBias, v)
    }

    /// The block's order: embeddings, θ, MLM head, adapters. The tied decoder has no entry of its own.
    static func layout(config: EncoderConfig, decoderBias: String, tiedDecoder: Bool, adapter: AdapterSpec?)
        -> (layout: TensorLayout, theta: Range<Int>)
    {
        let h = config.hiddenSize, v = config.vocabSize
        let names = ParameterNames(config: config)
        var layout = TensorLayout()
        layout.append(name: names.embedding("word_embeddings.weight"), shape: [v, h])
        layout.append(name: names.embedding("position_embeddings.weight"), shape: [config.maxPositionEmbeddings, h])
        if config.typeVocabSize > 0 {
            layout.append(name: names.embedding("token_type_embeddings.weight"), shape: [config.typeVocabSize, h])
        }
        layout.append(name: names.embedding("LayerNorm.weight"), shape: [h])
        layout.append(name: names.embedding("LayerNorm.bias"), shape: [h])
        let thetaStart = layout.totalCount
        for entry in thetaLayout(config: config).entries { layout.append(name: entry.name, shape: entry.shape) }
        let theta = thetaStart..<layout.totalCount
        layout.append(name: names.head.denseWeight, shape: [h, h])
        layout.append(name: names.head.denseBias, shape: [h])
        layout.append(name: names.head.normWeight, shape: [h])
        layout.append(name: names.head.normBias, shape: [h])
        if !tiedDecoder { layout.append(name: names.head.decoderWeight, shape: [v, h]) }
        layout.append(name: decoderBias, shape: [v])
        if let adapter {
            for l in 0..<config.numLayers {
                for (name, shape) in adapter.tensors(layer: l, names: names, hidden: h) {
                    layout.append(name: name, shape: shape)
                }
            }
        }
        return (layout, theta)
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

    /// Every parameter's current values (a copy), under the block's layout.
    public var allValues: FlatTensors { FlatTensors(layout: layout, values: values.array) }

    /// Puts back values taken from `allValues` (a probe run starts from the original weights).
    public func restore(_ saved: [Float]) {
        precondition(saved.count == layout.totalCount, "saved values do not fit the block")
        saved.withUnsafeBufferPointer { values.pointer.update(from: $0.baseAddress!, count: saved.count) }
    }

    /// The whole block, for optimizers and writers in the package.
    package var blockPointer: UnsafeMutablePointer<Float> { values.pointer }

    /// Where groups of parameters sit in the block.
    public func range(of group: ParameterGroup) -> [Range<Int>] { offsets.ranges(group, thetaRange: thetaRange) }
}

/// Where weights come from: whether a tensor exists, and reading it (converted to Float, exactly
/// `destination.count` values in PyTorch's row-major layout) into its final place.
struct TensorSource {
    var contains: (String) -> Bool
    var read: (String, UnsafeMutableBufferPointer<Float>) throws -> Void
    /// Where a tensor stored as little-endian F32 lies in its file, for mapping it in place (nil: read it).
    var placement: ((String) -> TensorPlacement?)?

    init(contains: @escaping (String) -> Bool, read: @escaping (String, UnsafeMutableBufferPointer<Float>) throws -> Void,
         placement: ((String) -> TensorPlacement?)? = nil) {
        self.contains = contains
        self.read = read
        self.placement = placement
    }

    init(arrays tensor: @escaping (String) throws -> [Float]?) {
        self.init(
            contains: { (try? tensor($0)) != nil },
            read: { name, destination in
                guard let values = try tensor(name) else { throw InputError("missing tensor \(name)") }
                guard values.count == destination.count else {
                    throw InputError("tensor \(name) has \(values.count) values, config.json implies \(destination.count)")
                }
                _ = destination.update(fromContentsOf: values)
            })
    }

    /// This source, with `other`'s tensors taking precedence.
    func overlaid(by other: TensorSource) -> TensorSource {
        TensorSource(contains: { other.contains($0) || self.contains($0) },
                     read: { name, destination in
                         try (other.contains(name) ? other : self).read(name, destination)
                     },
                     placement: { name in (other.contains(name) ? other : self).placement?(name) })
    }
}
