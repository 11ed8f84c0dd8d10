import Foundation
import XSNSEngine

/// Masked-LM fine-tuning: one optimizer step per batch of already-masked sentences (loss = mean over the
/// batch's predicted tokens, as Hugging Face's), optional global gradient-norm clipping, AdamW on the
/// trained scope with a linear schedule, and an optional sparse mask on the update.
public final class MaskedLMTrainer {
    public struct Settings: Codable, Equatable, Sendable {
        public var scope: TrainingScope
        public var schedule: LinearSchedule
        public var optimizer: AdamW.Settings
        /// 0: no clipping.
        public var clipNorm: Double
        public var dropout: Bool

        public init(scope: TrainingScope, schedule: LinearSchedule, optimizer: AdamW.Settings, clipNorm: Double = 0,
                    dropout: Bool = true) {
            self.scope = scope
            self.schedule = schedule
            self.optimizer = optimizer
            self.clipNorm = clipNorm
            self.dropout = dropout
        }
    }

    /// One line of `train_log.jsonl`.
    public struct StepLog: Codable, Equatable, Sendable {
        public var step: Int
        /// Nil when the batch predicted no token (the step then only decays the optimizer's moments).
        public var loss: Double?
        public var lr: Double
        public var gradNorm: Double

        enum CodingKeys: String, CodingKey { case step, loss, lr, gradNorm = "grad_norm" }
    }

    public let model: EncoderModel
    public let settings: Settings
    public let optimizer: AdamW
    public let ranges: [Range<Int>]
    /// One byte per parameter of the block (1 = may change), or nil: every trained parameter may change.
    private let updateMask: [UInt8]?
    private let gradient: UnsafeMutablePointer<Float>
    private let gradientCount: Int
    public var dropoutRandom: SeededRandom
    /// Wall time of the last step's optimizer update (for `xsns bench --train`).
    public private(set) var lastUpdateSeconds = 0.0

    /// `updateMask`, when given, holds one byte per parameter of the whole block (1 = may change); the
    /// others keep their exact values (no step, no weight decay).
    public init(model: EncoderModel, settings: Settings, seed: UInt64, updateMask: [UInt8]? = nil) throws {
        let ranges = settings.scope.ranges(in: model.parameters)
        guard !ranges.isEmpty else {
            throw TrainingError("nothing to train: the model has no \(settings.scope.rawValue) parameters")
        }
        if let updateMask, updateMask.count != model.parameters.layout.totalCount {
            throw TrainingError("the sparse mask does not cover the model's parameters")
        }
        self.model = model
        self.settings = settings
        self.ranges = ranges
        self.updateMask = updateMask
        optimizer = AdamW(ranges: ranges, settings: settings.optimizer)
        gradientCount = model.parameters.layout.totalCount
        gradient = .allocate(capacity: gradientCount)
        gradient.initialize(repeating: 0, count: gradientCount)
        dropoutRandom = SeededRandom(seed: seed ^ 0xD50F_7A1C_0FFE_E000)
    }

    deinit { gradient.deallocate() }

    /// Forward, backward and one optimizer step on `batch`.
    @discardableResult
    public func step(_ batch: [MaskedSequence]) throws -> StepLog {
        let parallel = model.parallel
        for range in ranges { (gradient + range.lowerBound).update(repeating: 0, count: range.count) }
        let loss = try model.maskedLMLossAndGradient(batch, groups: settings.scope.groups, dropout: settings.dropout,
                                                     random: &dropoutRandom, gradient: gradient)
        if let updateMask {
            updateMask.withUnsafeBufferPointer { keep in
                for range in ranges { for i in range where keep[i] == 0 { gradient[i] = 0 } }
            }
        }
        let norm = GradientClipping.norm(gradient, ranges: ranges, parallel: parallel)
        if settings.clipNorm > 0 {
            GradientClipping.clip(gradient, ranges: ranges, norm: norm, maxNorm: settings.clipNorm, parallel: parallel)
        }
        let learningRate = settings.schedule.learningRate(atStep: optimizer.step)
        let parameters = model.parameters.blockPointer
        let updateStart = DispatchTime.now().uptimeNanoseconds
        defer { lastUpdateSeconds = Double(DispatchTime.now().uptimeNanoseconds - updateStart) / 1e9 }
        if let updateMask {
            updateMask.withUnsafeBufferPointer { keep in
                optimizer.update(parameters: parameters, gradients: gradient, learningRate: learningRate,
                                 keep: keep.baseAddress, parallel: parallel)
            }
        } else {
            optimizer.update(parameters: parameters, gradients: gradient, learningRate: learningRate, parallel: parallel)
        }
        return StepLog(step: optimizer.step, loss: loss, lr: learningRate, gradNorm: norm)
    }

    /// The gradient of the last step (block layout; only the trained ranges are meaningful).
    public var lastGradient: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: gradient, count: gradientCount) }
}
