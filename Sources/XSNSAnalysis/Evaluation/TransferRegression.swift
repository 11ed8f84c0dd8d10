/// Ordinary least squares of the gold score on the predicted similarity over all (source, target) pairs
/// with s ≠ t present in both (the X-SNS paper's regression view): gold ≈ intercept + slope · similarity.
public struct TransferRegression: Equatable, Sendable {
    public let pairs: Int
    public let slope: Double
    public let intercept: Double
    /// Root mean squared residual (divided by the number of pairs, as `np.sqrt(np.mean(r**2))`).
    public let rmse: Double
    public let rSquared: Double

    /// nil with fewer than two pairs or constant similarities (no line is defined).
    public init?(predictions: TransferTable, gold: TransferTable) {
        var x: [Double] = []
        var y: [Double] = []
        for pair in gold.pairs where pair.source != pair.target {
            guard let predicted = predictions.value(source: pair.source, target: pair.target) else { continue }
            x.append(predicted)
            y.append(pair.value)
        }
        guard x.count >= 2, let x0 = x.first, !x.allSatisfy({ $0 == x0 }) else { return nil }
        let m = CenteredMoments(x, y)
        slope = m.sxy / m.sxx
        intercept = m.meanY - slope * m.meanX
        var squared = 0.0
        for index in x.indices {
            let residual = y[index] - (intercept + slope * x[index])
            squared += residual * residual
        }
        pairs = x.count
        rmse = (squared / Double(x.count)).squareRoot()
        rSquared = m.syy == 0 ? 1 : 1 - squared / m.syy
    }

    /// "a + b·x" with the sign written once ("0.5 − 1.2·x").
    public func equation(_ variable: String) -> String {
        let sign = slope < 0 ? "−" : "+"
        return "\(NumberText.fixed(intercept)) \(sign) \(NumberText.fixed(abs(slope)))·\(variable)"
    }
}
