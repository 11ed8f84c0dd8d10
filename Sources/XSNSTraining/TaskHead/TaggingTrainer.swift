import Foundation
import XSNSEngine

/// Trains a token-classification head together with a scope of the encoder (typically its adapters,
/// the base frozen): AdamW on both with one linear schedule, optional global clipping over both, the
/// encoder's dropout and the head's dropout on.
public final class TaggingTrainer {
    public let model: EncoderModel
    public let head: TokenClassificationHead
    public let settings: MaskedLMTrainer.Settings
    private let encoderRanges: [Range<Int>]
    private let encoderOptimizer: AdamW
    private let headOptimizer: AdamW
    private var encoderGradient: [Float]
    private var headGradient: [Float]
    public var dropoutRandom: SeededRandom

    public init(model: EncoderModel, head: TokenClassificationHead, settings: MaskedLMTrainer.Settings, seed: UInt64) {
        self.model = model
        self.head = head
        self.settings = settings
        encoderRanges = settings.scope.ranges(in: model.parameters)
        encoderOptimizer = AdamW(ranges: encoderRanges, settings: settings.optimizer)
        headOptimizer = AdamW(ranges: [0..<head.layout.totalCount], settings: settings.optimizer)
        encoderGradient = [Float](repeating: 0, count: model.parameters.layout.totalCount)
        headGradient = [Float](repeating: 0, count: head.layout.totalCount)
        dropoutRandom = SeededRandom(seed: seed ^ 0x7A66_1E50_0000_0001)
    }

    /// One optimizer step on `batch` (token ids with special tokens, a label per token, −100 where none).
    @discardableResult
    public func step(_ batch: [MaskedSequence]) throws -> MaskedLMTrainer.StepLog {
        let parallel = model.parallel
        for range in encoderRanges { encoderGradient.replaceSubrange(range, with: repeatElement(0, count: range.count)) }
        headGradient = [Float](repeating: 0, count: headGradient.count)
        let pass = try model.encode(batch.map(\.inputIds), dropout: settings.dropout, random: &dropoutRandom)
        var hiddenGradient = [Float](repeating: 0, count: pass.rows * head.hidden)
        let loss = hiddenGradient.withUnsafeMutableBufferPointer { dh in
            headGradient.withUnsafeMutableBufferPointer { dw in
                head.lossAndGradient(hidden: pass.lastHidden, rows: pass.rows, labels: batch.flatMap(\.labels),
                                     dropout: settings.dropout, random: &dropoutRandom,
                                     hiddenGradient: dh.baseAddress!, parameterGradient: dw.baseAddress!)
            }
        }
        if loss != nil {
            encoderGradient.withUnsafeMutableBufferPointer { g in
                model.backward(pass, lastHiddenGradient: hiddenGradient, groups: settings.scope.groups,
                               gradient: g.baseAddress!)
            }
        }
        let headRanges = [0..<headGradient.count]
        let norm = encoderGradient.withUnsafeBufferPointer { g in
            headGradient.withUnsafeBufferPointer { hg in
                let e = GradientClipping.norm(g.baseAddress!, ranges: encoderRanges, parallel: parallel)
                let t = GradientClipping.norm(hg.baseAddress!, ranges: headRanges, parallel: .serial)
                return (e * e + t * t).squareRoot()
            }
        }
        let learningRate = settings.schedule.learningRate(atStep: encoderOptimizer.step)
        encoderGradient.withUnsafeMutableBufferPointer { g in
            if settings.clipNorm > 0 {
                GradientClipping.clip(g.baseAddress!, ranges: encoderRanges, norm: norm, maxNorm: settings.clipNorm,
                                      parallel: parallel)
            }
            encoderOptimizer.update(parameters: model.parameters.blockPointer, gradients: g.baseAddress!,
                                    learningRate: learningRate, parallel: parallel)
        }
        headGradient.withUnsafeMutableBufferPointer { g in
            if settings.clipNorm > 0 {
                GradientClipping.clip(g.baseAddress!, ranges: headRanges, norm: norm, maxNorm: settings.clipNorm,
                                      parallel: .serial)
            }
            head.withValues { values in
                headOptimizer.update(parameters: values, gradients: g.baseAddress!, learningRate: learningRate,
                                     parallel: .serial)
            }
        }
        return .init(step: encoderOptimizer.step, loss: loss, lr: learningRate, gradNorm: norm)
    }

    /// The most likely label of every token of each sequence (dropout off).
    public func predict(_ sequences: [[Int32]]) throws -> [[Int32]] {
        try Self.predict(sequences, model: model, head: head)
    }

    public static func predict(_ sequences: [[Int32]], model: EncoderModel, head: TokenClassificationHead) throws
        -> [[Int32]]
    {
        var unused = SeededRandom(seed: 0)
        let pass = try model.encode(sequences, dropout: false, random: &unused)
        let logits = head.logits(hidden: pass.lastHidden, rows: pass.rows)
        var row = 0
        return sequences.map { ids in
            ids.indices.map { _ in
                defer { row += 1 }
                let scores = logits[(row * head.labelCount)..<((row + 1) * head.labelCount)]
                return Int32(scores.indices.max { scores[$0] < scores[$1] }! - row * head.labelCount)
            }
        }
    }
}
