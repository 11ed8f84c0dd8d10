import CKernels
import Foundation
import XSNSStorage

/// Streams sentences through the encoder and accumulates the diagonal Fisher information of θ and the
/// attention heads' importance E|∂L/∂ξ_h|, with either estimator of DESIGN.md:
/// - `xsns`: sentences grouped in batches of `batchSize` in arrival order (the last one may be partial);
///   loss = mean over the batch's predicted tokens, dropout on; each θ tensor's batch gradient clipped to
///   norm 1 as `clip_grad_norm_(tensor, 1.0)`, squared and summed; divided by the number of batches.
/// - `exact`: each sentence's gradient (mean over its predicted tokens, dropout off) squared, averaged.
/// A unit with no predicted token adds nothing and is not counted. Units run several at a time, packed
/// into one pass (`PassBudget`), each with its own gradient and dropout stream: the projections and the
/// MLM decoder then see GEMMs of many rows instead of one short batch's, and the result is the same.
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
    /// When a pass of pending units runs: throughput only, no result depends on where passes end.
    var passBudget = PassBudget()

    private var maskingRandom: SeededRandom
    /// The root of the batches' dropout streams (`stream(batch)`); never advanced itself.
    private var dropoutRandom: SeededRandom
    private var pending: [MaskedSequence] = []
    /// Becomes the result at `finish` (divided in place), after which the estimator takes no more input.
    private var fisherSum: [Float]
    private var finished = false
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
        fisherSum = Self.zeros(model.parameters.thetaLayout.totalCount, parallel: model.parallel)
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
        precondition(!finished, "a finished Fisher estimator takes no more sentences")
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
        if passBudget.isFull(pending, batchSize: batchSize) { try flush() }
        return FedSentence(masked: masked, batch: batch)
    }

    /// Runs any partial batch and returns Fisher = sum / units over θ (zeros when no unit counted)
    /// and the head importance [layers, heads].
    public func finish() throws -> FisherResult {
        try flush()
        precondition(!finished, "a Fisher estimator finishes once")
        finished = true
        let units = Float(max(progress.gradientUnits, 1))
        // The running sum itself becomes the result: a second θ-sized array (340 MB at XLM-R-base) would
        // cost its page faults, which on a VM are slower than the division.
        var fisher = fisherSum
        fisherSum = []
        fisher.withUnsafeMutableBufferPointer { values in
            guard let base = values.baseAddress else { return }
            model.parallel.split(values.count, grain: 1 << 16) { range in
                for i in range { base[i] = base[i] / units }
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

    /// Runs every pending sentence in one pass (at `finish`: a partial batch too).
    func flush() throws {
        let arrived = pending
        pending.removeAll()
        try runPass(arrived, firstSentence: progress.sentences - arrived.count)
    }

    /// Runs the pending sentences that make whole units now, so that the running sum covers every whole
    /// unit fed so far (a measure point); a partial batch stays pending. Where passes end changes no
    /// result: units keep their own gradients and dropout streams.
    public func runCompleteUnits() throws {
        let complete = kind == .exact ? pending.count : pending.count - pending.count % batchSize
        guard complete > 0 else { return }
        let ready = Array(pending.prefix(complete))
        pending.removeFirst(complete)
        try runPass(ready, firstSentence: progress.sentences - complete - pending.count)
    }

    /// One pass over `sentences` (the first the `firstSentence`-th fed, at a unit boundary): their
    /// batches (`xsns`) or sentences (`exact`) that predict a token, each its own gradient unit. An `xsns`
    /// batch draws its dropout from its own stream, derived from the estimator's and the batch's index.
    private func runPass(_ sentences: [MaskedSequence], firstSentence: Int) throws {
        guard !sentences.isEmpty else { return }
        let size = kind == .exact ? 1 : batchSize
        let chunks = stride(from: 0, to: sentences.count, by: size).map { sentences[$0..<min($0 + size, sentences.count)] }
        let runs = chunks.map { chunk in chunk.contains { $0.predictedCount > 0 } }
        let running = chunks.indices.filter { runs[$0] }
        let units = running.map { Array(chunks[$0]) }
        var streams = running.map { dropoutRandom.stream((firstSentence + $0 * size) / size) }
        var unitSketches = [Float](repeating: 0, count: (sketch?.dimension ?? 0) * units.reduce(0) { $0 + $1.count })
        defer { appendSketchRows(unitSketches, chunks: chunks, runs: runs) }
        guard !units.isEmpty else { return }
        let perGroup = headImportanceSum.count
        headGate = [Float](repeating: 0, count: units.count * perGroup)
        let clipped = kind == .xsns, parallel = model.parallel
        let losses = try fisherSum.withUnsafeMutableBufferPointer { fisher -> [Double]? in
            try headGate.withUnsafeMutableBufferPointer { gate -> [Double]? in
                try unitSketches.withUnsafeMutableBufferPointer { sketchRows -> [Double]? in
                    guard let sum = fisher.baseAddress, let gatePointer = gate.baseAddress else { return nil }
                    if let sketch, let rows = sketchRows.baseAddress {
                        model.sketchTarget = SketchTarget(sketch: sketch, rows: rows,
                                                         scales: units.flatMap(Self.sketchScales), work: sketchWork)
                    }
                    defer { model.sketchTarget = nil }
                    return try model.gradients(units, dropout: kind == .xsns, streams: &streams,
                                               headGateGradient: gatePointer, objective: objective) { offset, count, _, g in
                        Self.addSquares(of: g, count: count, into: sum + offset, clipped: clipped, parallel: parallel)
                    }
                }
            }
        }
        guard let losses else { return }
        progress.gradientUnits += losses.count
        for loss in losses { progress.lossSum += loss }
        for (i, value) in headGate.enumerated() { headImportanceSum[i % perGroup] += abs(value) }
    }

    /// A θ-sized array of zeros, written by every thread: its 340 MB (XLM-R-base) are fresh pages, and
    /// faulting them in on one thread left the other idle.
    private static func zeros(_ count: Int, parallel: Parallel) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress {
                parallel.split(count, grain: 1 << 20) { range in
                    (base + range.lowerBound).initialize(repeating: 0, count: range.count)
                }
            }
            initialized = count
        }
    }

    /// Per sequence of a unit, what turns its rows' gradient into that of its own mean loss:
    /// predicted(unit) / predicted(sentence) (1 for a unit of one sentence; 0: nothing predicted).
    private static func sketchScales(_ unit: [MaskedSequence]) -> [Float] {
        let total = unit.reduce(0) { $0 + $1.predictedCount }
        return unit.map { $0.predictedCount == 0 ? 0 : Float(total) / Float($0.predictedCount) }
    }

    /// The pass's sketch rows in arrival order (`chunks`: its units, `runs`: whether each was in the
    /// pass), zero rows for the sentences of a unit left out because it predicts nothing.
    private func appendSketchRows(_ rows: [Float], chunks: [ArraySlice<MaskedSequence>], runs: [Bool]) {
        guard let sketch else { return }
        let d = sketch.dimension
        var next = 0
        for (unit, ran) in zip(chunks, runs) {
            if ran {
                sketchRows += rows[(next * d)..<((next + unit.count) * d)]
                next += unit.count
            } else {
                sketchRows += [Float](repeating: 0, count: unit.count * d)
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
        try fisherSum.withUnsafeBufferPointer(body)
    }

    // MARK: - Snapshots

    /// The complete state of an estimation in progress.
    public func snapshot() -> FisherEstimatorSnapshot {
        precondition(!finished, "a finished Fisher estimator has no state to save")
        var layout = model.parameters.thetaLayout
        let config = model.parameters.config
        layout.append(name: Self.headImportanceName, shape: [config.numLayers, config.numHeads])
        if let sketch { layout.append(name: Self.sketchName, shape: [sketchRows.count / sketch.dimension, sketch.dimension]) }
        return FisherEstimatorSnapshot(
            state: .init(kind: kind, batchSize: batchSize, masking: masking, progress: progress,
                         maskingRandom: maskingRandom, dropoutRandom: dropoutRandom, pending: pending),
            accumulators: FlatTensors(layout: layout, values: fisherSum + headImportanceSum + sketchRows))
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
        guard !passBudget.isFull(state.pending, batchSize: batchSize) else {
            throw InputError("the snapshot's pending sentences make more than one pass")
        }
        if let sketch, sketchCount != (state.progress.sentences - state.pending.count) * sketch.dimension {
            throw InputError("the snapshot's sketches do not match its sentence count")
        }
        let values = snapshot.accumulators.values
        fisherSum = Array(values[0..<thetaCount])
        headImportanceSum = Array(values[thetaCount..<(thetaCount + headImportanceSum.count)])
        sketchRows = Array(values[(thetaCount + headImportanceSum.count)...])
        progress = state.progress
        maskingRandom = state.maskingRandom
        dropoutRandom = state.dropoutRandom
        pending = state.pending
        finished = false
    }
}
