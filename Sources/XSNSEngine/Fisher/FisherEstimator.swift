import CKernels
import Foundation
import XSNSStorage

/// Streams sentences through the encoder and accumulates the diagonal Fisher information of θ and the
/// attention heads' importance E|∂L/∂ξ_h|, with either estimator of DESIGN.md:
/// - `xsns`: sentences grouped in batches of `batchSize` in arrival order (the last one may be partial);
///   loss = mean over the batch's predicted tokens, dropout on; each θ tensor's batch gradient clipped to
///   norm 1 as `clip_grad_norm_(tensor, 1.0)`, squared and summed; divided by the number of batches.
/// - `exact`: each sentence's gradient (mean over its predicted tokens, dropout off) squared, averaged;
///   sentences are still run `batchSize` at a time, packed, for throughput.
/// A unit with no predicted token adds nothing and is not counted.
///
/// Everything that determines the result is in `snapshot()`, so an interrupted run restored from it
/// continues bit-identically (given the same `model.threads`).
public final class FisherEstimator {
    public let model: EncoderModel
    public let kind: FisherEstimatorKind
    public let batchSize: Int
    public let masking: MaskingPolicy
    public let objective: FisherObjective
    public private(set) var progress = FisherProgress()

    private var maskingRandom: SeededRandom
    private var dropoutRandom: SeededRandom
    private var pending: [MaskedSequence] = []
    private let fisherSum: FloatBuffer
    private var headImportanceSum: [Float]
    private var headGate: [Float] = []
    /// With a sketch: one D-row per sentence run so far, in arrival order (zeros for a sentence that
    /// predicts nothing).
    public let sketch: GradientSketch?
    private var sketchRows: [Float] = []
    private let sketchWork = ScratchBuffer()

    /// The name of the head importance tensor ([layers, heads]) in snapshots and results.
    public static let headImportanceName = "head_importance"

    /// The name of the sketch tensor ([sentences, D]) in snapshots and results.
    public static let sketchName = "sketch"

    public init(model: EncoderModel, kind: FisherEstimatorKind, batchSize: Int = 4, masking: MaskingPolicy,
                seed: UInt64, sketch: GradientSketch? = nil, objective: FisherObjective = .maskedLM) throws {
        guard batchSize > 0 else { throw InputError("batch size must be positive, got \(batchSize)") }
        guard masking.probability >= 0, masking.probability <= 1 else {
            throw InputError("mask probability must be in [0, 1], got \(masking.probability)")
        }
        guard masking.vocabularySize > 0, masking.vocabularySize <= model.parameters.config.vocabSize,
              masking.maskTokenId >= 0, Int(masking.maskTokenId) < model.parameters.config.vocabSize else {
            throw InputError("mask token or vocabulary size does not fit the model's vocabulary")
        }
        self.model = model
        self.kind = kind
        self.batchSize = batchSize
        self.masking = masking
        self.sketch = sketch
        self.objective = objective
        // Two independent streams, so changing dropout never changes which tokens are masked.
        maskingRandom = SeededRandom(seed: seed)
        dropoutRandom = SeededRandom(seed: seed ^ 0x5DEE_CE66_D1CE_D00D)
        let config = model.parameters.config
        fisherSum = FloatBuffer(count: model.parameters.thetaLayout.totalCount)
        headImportanceSum = [Float](repeating: 0, count: config.numLayers * config.numHeads)
    }

    /// A sentence after masking, and (for `xsns`) the index of the batch it belongs to.
    public struct FedSentence: Sendable {
        public var masked: MaskedSequence
        public var batch: Int?
    }

    /// Masks one sentence (token ids with special tokens, already truncated) and, when it completes a
    /// gradient unit, runs forward and backward and accumulates.
    /// `types`: the tokens' types for a sentence pair (nil: all 0).
    @discardableResult
    public func feed(_ ids: [Int32], types: [Int32]? = nil) throws -> FedSentence {
        try model.validate(ids)  // before masking: a rejected sentence must not advance the generator
        try model.validate(types: types, of: ids)
        var masked: MaskedSequence
        if case .randomHead(let head) = objective {
            masked = head.label(ids, special: masking.specialTokenIds, random: &maskingRandom)
        } else {
            masked = masking.mask(ids, random: &maskingRandom)
        }
        masked.typeIds = types
        return try feed(masked: masked)
    }

    /// Feeds a sentence that is already masked (replaying recorded inputs); the masking policy is not used.
    @discardableResult
    public func feed(masked: MaskedSequence) throws -> FedSentence {
        // Rejected before anything changes, so a bad sentence never half-enters a batch.
        try model.validate(masked.inputIds)
        try model.validate(types: masked.typeIds, of: masked.inputIds)
        var classes = Int32(model.parameters.config.vocabSize)
        if case .randomHead(let head) = objective { classes = Int32(head.labels) }
        for label in masked.labels where label != MaskedSequence.ignoredLabel && !(0..<classes).contains(label) {
            throw InputError("label \(label) is outside the \(classes) classes of the objective")
        }
        let batch = kind == .xsns ? progress.sentences / batchSize : nil
        progress.sentences += 1
        progress.tokens += masked.inputIds.count
        progress.maskedTokens += masked.predictedCount
        pending.append(masked)
        if pending.count == batchSize { try flush() }
        return FedSentence(masked: masked, batch: batch)
    }

    /// Runs any partial batch and returns Fisher = sum / units over θ (zeros when no unit counted)
    /// and the head importance [layers, heads].
    public func finish() throws -> FisherResult {
        try flush()
        let units = Float(max(progress.gradientUnits, 1))
        // One fresh array, written in parallel: at XLM-R-base size it is 340 MB of pages to fault in.
        let sum = fisherSum.pointer
        let count = fisherSum.count
        let fisher = [Float](unsafeUninitializedCapacity: count) { output, initialized in
            initialized = count
            guard let target = output.baseAddress else { return }
            model.parallel.split(count, grain: 1 << 16) { range in
                for i in range { target[i] = sum[i] / units }
            }
        }
        let config = model.parameters.config
        var headLayout = TensorLayout()
        headLayout.append(name: Self.headImportanceName, shape: [config.numLayers, config.numHeads])
        var sketches: FlatTensors?
        if let sketch {
            var layout = TensorLayout()
            layout.append(name: Self.sketchName, shape: [sketchRows.count / sketch.dimension, sketch.dimension])
            sketches = FlatTensors(layout: layout, values: sketchRows)
        }
        return FisherResult(
            fisher: FlatTensors(layout: model.parameters.thetaLayout, values: fisher),
            headImportance: FlatTensors(layout: headLayout, values: headImportanceSum.map { $0 / units }),
            sketches: sketches, progress: progress)
    }

    /// Runs the pending sentences: one batch unit (`xsns`), or one unit per sentence that predicts a token
    /// (`exact`, packed into one pass for larger GEMMs, with per-sentence parameter gradients).
    func flush() throws {
        guard !pending.isEmpty else { return }
        let arrived = pending
        let unit = kind == .exact ? pending.filter { $0.predictedCount > 0 } : pending
        pending.removeAll()
        var unitSketches = [Float](repeating: 0, count: (sketch?.dimension ?? 0) * unit.count)
        defer { appendSketchRows(unitSketches, unit: unit, arrived: arrived) }
        guard !unit.isEmpty else { return }
        let groups = kind == .exact ? unit.count : 1
        let perGroup = headImportanceSum.count
        headGate = [Float](repeating: 0, count: groups * perGroup)
        let sum = fisherSum.pointer
        let clipped = kind == .xsns, parallel = model.parallel
        let losses = try headGate.withUnsafeMutableBufferPointer { gate -> [Double]? in
            try unitSketches.withUnsafeMutableBufferPointer { sketchRows -> [Double]? in
                guard let gatePointer = gate.baseAddress else { return nil }
                if let sketch, let rows = sketchRows.baseAddress {
                    model.sketchTarget = SketchTarget(sketch: sketch, rows: rows, scales: sketchScales(unit),
                                                     work: sketchWork)
                }
                defer { model.sketchTarget = nil }
                return try model.gradients(unit, perSequence: kind == .exact, dropout: kind == .xsns,
                                           random: &dropoutRandom, headGateGradient: gatePointer,
                                           objective: objective) { offset, count, _, g in
                    Self.addSquares(of: g, count: count, into: sum + offset, clipped: clipped, parallel: parallel)
                }
            }
        }
        guard let losses else { return }
        progress.gradientUnits += losses.count
        for loss in losses { progress.lossSum += loss }
        for (i, value) in headGate.enumerated() { headImportanceSum[i % perGroup] += abs(value) }
    }

    /// Per sequence of a unit, what turns its rows' gradient into that of its own mean loss: 1 in a
    /// per-sentence pass; predicted(unit) / predicted(sentence) in a batch pass (0: nothing predicted).
    private func sketchScales(_ unit: [MaskedSequence]) -> [Float] {
        guard kind == .xsns else { return [Float](repeating: 1, count: unit.count) }
        let total = unit.reduce(0) { $0 + $1.predictedCount }
        return unit.map { $0.predictedCount == 0 ? 0 : Float(total) / Float($0.predictedCount) }
    }

    /// The unit's sketch rows in arrival order, a zero row for a sentence left out of the unit.
    private func appendSketchRows(_ rows: [Float], unit: [MaskedSequence], arrived: [MaskedSequence]) {
        guard let sketch else { return }
        let d = sketch.dimension
        if unit.count == arrived.count {
            sketchRows += rows
            return
        }
        var next = 0
        for sentence in arrived {
            if sentence.predictedCount > 0 {
                sketchRows += rows[(next * d)..<((next + 1) * d)]
                next += 1
            } else {
                sketchRows += [Float](repeating: 0, count: d)
            }
        }
    }

    /// sum += g², the tensor scaled first by min(1, 1/(‖g‖ + 1e-6)) when clipping, as
    /// `torch.nn.utils.clip_grad_norm_(tensor, 1.0)` computes it in float32. Split across threads; the
    /// norm's partial sums are added in chunk order.
    private static func addSquares(of g: UnsafePointer<Float>, count: Int, into sum: UnsafeMutablePointer<Float>,
                                   clipped: Bool, parallel: Parallel) {
        let grain = 1 << 15
        var coefficient: Float = 1
        if clipped {
            var partials = [Double](repeating: 0, count: parallel.chunks(count, grain: grain))
            partials.withUnsafeMutableBufferPointer { partial in
                guard let partial = partial.baseAddress else { return }
                parallel.splitIndexed(count, grain: grain) { chunk, range in
                    partial[chunk] = xsns_sum_squares(MathKernels.level, g + range.lowerBound, range.count)
                }
            }
            coefficient = min(1, 1 / (Float(partials.reduce(0, +).squareRoot()) + 1e-6))
        }
        parallel.split(count, grain: grain) { range in
            xsns_add_scaled_squares(MathKernels.level, sum + range.lowerBound, g + range.lowerBound, coefficient, range.count)
        }
    }

    /// The running sum of squared gradients over θ (not yet divided by the units), e.g. for watching
    /// the sub-network settle: a percentile does not move under scaling. Read in place, not copied.
    public func withRunningFisherSum<T>(_ body: (UnsafeBufferPointer<Float>) throws -> T) rethrows -> T {
        try body(UnsafeBufferPointer(start: fisherSum.pointer, count: fisherSum.count))
    }

    // MARK: - Snapshots

    /// The complete state of an estimation in progress.
    public func snapshot() -> FisherEstimatorSnapshot {
        var layout = model.parameters.thetaLayout
        let config = model.parameters.config
        layout.append(name: Self.headImportanceName, shape: [config.numLayers, config.numHeads])
        if let sketch { layout.append(name: Self.sketchName, shape: [sketchRows.count / sketch.dimension, sketch.dimension]) }
        return FisherEstimatorSnapshot(
            state: .init(kind: kind, batchSize: batchSize, masking: masking, progress: progress,
                         maskingRandom: maskingRandom, dropoutRandom: dropoutRandom, pending: pending),
            accumulators: FlatTensors(layout: layout, values: fisherSum.array + headImportanceSum + sketchRows))
    }

    /// Continues from `snapshot`, which must come from an estimator with the same settings and model shape.
    public func restore(_ snapshot: FisherEstimatorSnapshot) throws {
        let state = snapshot.state
        guard state.kind == kind, state.batchSize == batchSize, state.masking == masking else {
            throw InputError("the snapshot was taken with different estimator settings")
        }
        let thetaCount = model.parameters.thetaLayout.totalCount
        let entries = snapshot.accumulators.layout.entries
        let sketchEntry = entries.last.flatMap { $0.name == Self.sketchName ? $0 : nil }
        let sketchCount = sketchEntry?.count ?? 0
        guard (sketchEntry == nil) == (sketch == nil), sketchEntry.map({ $0.shape.last == sketch?.dimension }) ?? true else {
            throw InputError("the snapshot was taken with other --sketch settings")
        }
        guard snapshot.accumulators.values.count == thetaCount + headImportanceSum.count + sketchCount,
              entries.prefix(model.parameters.thetaLayout.entries.count).elementsEqual(model.parameters.thetaLayout.entries)
        else { throw InputError("the snapshot does not match the model's parameters") }
        guard state.pending.count < batchSize else { throw InputError("the snapshot's partial batch is too large") }
        if let sketch, sketchCount != (state.progress.sentences - state.pending.count) * sketch.dimension {
            throw InputError("the snapshot's sketches do not match its sentence count")
        }
        snapshot.accumulators.values.withUnsafeBufferPointer { values in
            if let base = values.baseAddress { fisherSum.pointer.update(from: base, count: thetaCount) }
        }
        let values = snapshot.accumulators.values
        headImportanceSum = Array(values[thetaCount..<(thetaCount + headImportanceSum.count)])
        sketchRows = Array(values[(thetaCount + headImportanceSum.count)...])
        progress = state.progress
        maskingRandom = state.maskingRandom
        dropoutRandom = state.dropoutRandom
        pending = state.pending
    }
}
