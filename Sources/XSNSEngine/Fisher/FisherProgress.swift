/// How far an estimation has come; part of every snapshot.
public struct FisherProgress: Codable, Equatable, Sendable {
    /// Sentences fed so far (including any still waiting in a partial batch).
    public var sentences = 0
    public var tokens = 0
    /// Tokens selected for prediction.
    public var maskedTokens = 0
    /// Gradient units (batches for `xsns`, sentences for `exact`) that had a predicted token and were
    /// added to the Fisher sum: the denominator of the estimate.
    public var gradientUnits = 0
    /// Σ of the units' mean losses (mean loss = lossSum / gradientUnits).
    public var lossSum = 0.0

    public init() {}
}

/// Which Fisher estimator to run (see DESIGN.md, Estimators).
public enum FisherEstimatorKind: String, Codable, Sendable, CaseIterable {
    /// The published X-SNS behaviour: batches, dropout on, per-tensor clipping to norm 1.
    case xsns
    /// Empirical Fisher: per-sentence squared gradients, dropout off.
    case exact
}
