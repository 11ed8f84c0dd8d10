import XSNSStorage

/// The outcome of an estimation.
public struct FisherResult: Sendable {
    /// The diagonal Fisher over θ, under the checkpoint's tensor names.
    public var fisher: FlatTensors
    /// E|∂L/∂ξ_h| as one [layers, heads] tensor named `FisherEstimator.headImportanceName`.
    public var headImportance: FlatTensors
    /// With a sketch: [sentences, D] named `FisherEstimator.sketchName`, a row per sentence fed, in order.
    public var sketches: FlatTensors?
    public var progress: FisherProgress
}

/// Everything needed to resume: small Codable state (store it as JSON, e.g. in safetensors metadata) and
/// the running sums (θ layout followed by `head_importance`, then `sketch` when sketching).
public struct FisherEstimatorSnapshot: Sendable {
    public struct State: Codable, Equatable, Sendable {
        public var kind: FisherEstimatorKind
        public var batchSize: Int
        public var masking: MaskingPolicy
        public var progress: FisherProgress
        public var maskingRandom: SeededRandom
        public var dropoutRandom: SeededRandom
        /// Sentences of the current, incomplete batch (already masked).
        public var pending: [MaskedSequence]
    }

    public var state: State
    public var accumulators: FlatTensors

    public init(state: State, accumulators: FlatTensors) {
        self.state = state
        self.accumulators = accumulators
    }
}
