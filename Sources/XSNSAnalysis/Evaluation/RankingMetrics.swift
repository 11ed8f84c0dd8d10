import Foundation

/// The metrics of the X-SNS evaluation, each matching its scikit-learn / SciPy counterpart.
public enum RankingMetrics {
    /// `scipy.stats.rankdata(values)` ("average"): ranks from 1, ties share the mean of their ranks.
    public static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
            let rank = Double(start + end + 2) / 2
            for position in start...end { ranks[order[position]] = rank }
            start = end + 1
        }
        return ranks
    }

    /// `scipy.stats.pearsonr(x, y).statistic`; nil when either input is constant (SciPy gives NaN).
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count)
        guard x.count >= 2, let x0 = x.first, let y0 = y.first,
            !x.allSatisfy({ $0 == x0 }), !y.allSatisfy({ $0 == y0 })
        else { return nil }
        // SciPy answers two points exactly (the sign of the slope) rather than by the general formula.
        if x.count == 2 { return (x[1] - x[0]).sign == (y[1] - y[0]).sign ? 1 : -1 }
        let m = CenteredMoments(x, y)
        return max(-1, min(1, m.sxy / (m.sxx.squareRoot() * m.syy.squareRoot())))
    }

    /// `scipy.stats.spearmanr(x, y).statistic`: Pearson of the average ranks.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
        pearson(averageRanks(x), averageRanks(y))
    }

    /// `np.argmax(pred) == np.argmax(gold)`: the first maximum of each.
    public static func topOne(predicted: [Double], gold: [Double]) -> Bool {
        firstMaximum(predicted) == firstMaximum(gold)
    }

    /// Whether the best gold source is among the predicted top k, as the X-SNS reference notebook
    /// counts it: the predictions sorted from the highest, each mapped back to the first source with that
    /// value (`list.index`), a hit when that source's gold equals the best gold (any tied best counts).
    public static func inTopK(predicted: [Double], gold: [Double], k: Int) -> Bool {
        guard let best = gold.max() else { return false }
        for value in predicted.sorted(by: >).prefix(k) where gold[predicted.firstIndex(of: value)!] == best {
            return true
        }
        return false
    }

    static func firstMaximum(_ values: [Double]) -> Int? {
        var best: Int?
        for index in values.indices where best.map({ values[index] > values[$0] }) ?? true { best = index }
        return best
    }

    /// `sklearn.metrics.ndcg_score([relevance], [predicted], k=k)` with its default tie handling:
    /// predictions that tie share the mean relevance of their group and the group's summed discounts.
    public static func ndcg(relevance: [Double], predicted: [Double], k: Int?) -> Double {
        precondition(relevance.count == predicted.count && !relevance.isEmpty)
        let count = relevance.count
        var discounts = (0..<count).map { 1 / (log(Double($0 + 2)) / log(2.0)) }
        if let k, k < count { for index in k..<count { discounts[index] = 0 } }
        var cumulative = [Double](repeating: 0, count: count)
        var running = 0.0
        for index in 0..<count {
            running += discounts[index]
            cumulative[index] = running
        }

        // Groups of equal predictions, best first.
        let order = predicted.indices.sorted { predicted[$0] > predicted[$1] }
        var gain = 0.0
        var start = 0
        var previousCumulative = 0.0
        while start < count {
            var end = start
            while end + 1 < count, predicted[order[end + 1]] == predicted[order[start]] { end += 1 }
            var sum = 0.0
            for position in start...end { sum += relevance[order[position]] }
            let meanRelevance = sum / Double(end - start + 1)
            gain += meanRelevance * (cumulative[end] - previousCumulative)
            previousCumulative = cumulative[end]
            start = end + 1
        }

        let ideal = relevance.sorted(by: >)
        var best = 0.0
        for index in 0..<count { best += ideal[index] * discounts[index] }
        return best == 0 ? 0 : gain / best
    }
}

/// Means and centred sums of squares and cross-products of paired samples, shared by Pearson and OLS.
struct CenteredMoments {
    let meanX: Double
    let meanY: Double
    let sxx: Double
    let syy: Double
    let sxy: Double

    init(_ x: [Double], _ y: [Double]) {
        precondition(x.count == y.count && !x.isEmpty)
        meanX = x.reduce(0, +) / Double(x.count)
        meanY = y.reduce(0, +) / Double(y.count)
        var sxx = 0.0, syy = 0.0, sxy = 0.0
        for index in x.indices {
            let dx = x[index] - meanX
            let dy = y[index] - meanY
            sxy += dx * dy
            sxx += dx * dx
            syy += dy * dy
        }
        self.sxx = sxx
        self.syy = syy
        self.sxy = sxy
    }
}
