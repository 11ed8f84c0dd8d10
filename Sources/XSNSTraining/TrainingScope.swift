import XSNSEngine

/// Which parameters a run trains (`--train`); everything else is frozen.
public enum TrainingScope: String, CaseIterable, Codable, Sendable {
    /// Every parameter: embeddings (and the tied decoder), the encoder layers, the MLM head.
    case all
    /// Embeddings and encoder layers; the MLM head's own weights are frozen (a tied decoder still
    /// learns, as the word embeddings).
    case encoder
    /// Only θ, the encoder layers (`encoder.layer.*`).
    case theta
    /// Only the adapters (the base model frozen).
    case adapters

    public var groups: Set<ParameterGroup> {
        switch self {
        case .all: return [.embeddings, .theta, .head]
        case .encoder: return [.embeddings, .theta]
        case .theta: return [.theta]
        case .adapters: return [.adapters]
        }
    }

    /// The parameter block's ranges this scope trains, in block order.
    public func ranges(in parameters: EncoderParameters) -> [Range<Int>] {
        ParameterGroup.allCases.filter(groups.contains).flatMap { parameters.range(of: $0) }.filter { !$0.isEmpty }
    }
}
