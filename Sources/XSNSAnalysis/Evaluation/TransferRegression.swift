/// Ordinary least squares of the gold score on the predicted similarity over all (source, target) pairs
/// with s ≠ t present in both (the X-SNS paper's regression view): gold ≈ intercept + slope · similarity.
public struct TransferRegression: Equatable, Sendable {
    public let pairs: Int
    public let slope: Double
    public let intercept: Double
    /// Root mean squared residual (divided by the number of pairs, as `np.sqrt(np.mean(r**2))`).
    public let rmse: Double
    public let rSquared: Double
    /// Pearson's r of gold and similarity over the pairs (`scipy.stats.pearsonr`); nil for constant gold.
    public let r: Double?

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
        r = RankingMetrics.pearson(y, x)
        rmse = (squared / Double(x.count)).squareRoot()
        rSquared = m.syy == 0 ? 1 : 1 - squared / m.syy
    }

    /// "a + b·x" with the sign written once ("0.5 − 1.2·x").
    public func equation(_ variable: String) -> String {
        let sign = slope < 0 ? "−" : "+"
        return "\(NumberText.fixed(intercept)) \(sign) \(NumberText.fixed(abs(slope)))·\(variable)"
    }

    /// The regression as the X-SNS reference notebook reports it: one OLS per run (each pair of a
    /// Fisher seed's similarities and a fine-tuning seed's gold, all (s, t) pairs pooled), the in-sample
    /// RMSE averaged over runs, and R² as the square of the mean Pearson r (not the mean of the R²s).
    /// In the gold's own unit (the notebook multiplies fractions by 100 first).
    public struct PerRun: Equatable, Sendable {
        public let runs: Int
        public let rmse: Double
        public let rSquared: Double
    }

    /// nil when no run has a line (fewer than two pairs, or constant similarities or gold).
    public static func perRun(_ runs: [(predictions: TransferTable, gold: TransferTable)]) -> PerRun? {
        var errors: [Double] = [], correlations: [Double] = []
        for run in runs {
            guard let fit = TransferRegression(predictions: run.predictions, gold: run.gold), let r = fit.r else { continue }
            errors.append(fit.rmse)
            correlations.append(r)
        }
        guard !errors.isEmpty else { return nil }
        let meanR = correlations.reduce(0, +) / Double(correlations.count)
        return PerRun(runs: errors.count, rmse: errors.reduce(0, +) / Double(errors.count), rSquared: meanR * meanR)
    }
}
