import XSNSStorage

/// The metrics of one target language.
public struct TargetEvaluation: Equatable, Sendable {
    public let target: String
    /// Number of candidate source languages.
    public let candidates: Int
    public let ndcg: Double
    public let top1: Double
    /// Whether the best gold source is among the predicted top 3 / top 5 (`RankingMetrics.inTopK`).
    public let top3: Double
    public let top5: Double
    public let pearson: Double?
    public let spearman: Double?
    /// gold(predicted best → t) − gold(en → t), in the gold's unit; nil for t = en or when en is no candidate.
    public let advantageOverEnglish: Double?
}

/// Means over targets; correlations that are undefined for a target are left out of their mean.
public struct MeanEvaluation: Equatable, Sendable {
    public let ndcg: Double
    public let top1: Double
    public let top3: Double
    public let top5: Double
    public let pearson: Double?
    public let spearman: Double?
    /// Over the targets that have it. The reference notebook divides the same sum by every target, en
    /// included: its "adv average" is this × (targets − 1) / targets when en is among the targets.
    public let advantageOverEnglish: Double?
}

/// A predictor scored against measured transfer, as the X-SNS reference analysis does.
public struct TransferEvaluation: Equatable, Sendable {
    public let k: Int
    public let targets: [TargetEvaluation]
    public let mean: MeanEvaluation

    /// Per target t (in gold order): candidates are the sources s ≠ t with both a gold score and a
    /// prediction, in gold order. Targets with fewer than two candidates are skipped.
    /// `lowerIsBetter` negates the predictions (distances) before every metric.
    public init(predictions: TransferTable, gold: TransferTable, k: Int = 3, lowerIsBetter: Bool = false) throws {
        guard k >= 1 else { throw InputError("--k must be at least 1") }
        var results: [TargetEvaluation] = []
        for target in gold.targets {
            let candidates = (gold.sources[target] ?? []).filter {
                $0 != target && predictions.value(source: $0, target: target) != nil
            }
            guard candidates.count >= 2 else { continue }
            let goldScores = candidates.map { gold.value(source: $0, target: target)! }
            let predicted = candidates.map { source -> Double in
                let value = predictions.value(source: source, target: target)!
                return lowerIsBetter ? -value : value
            }
            let english = target == "en" ? nil : candidates.firstIndex(of: "en")
            let best = RankingMetrics.firstMaximum(predicted)!
            results.append(
                TargetEvaluation(
                    target: target, candidates: candidates.count,
                    ndcg: RankingMetrics.ndcg(
                        relevance: RankingMetrics.averageRanks(goldScores), predicted: predicted, k: k),
                    top1: RankingMetrics.topOne(predicted: predicted, gold: goldScores) ? 1 : 0,
                    top3: RankingMetrics.inTopK(predicted: predicted, gold: goldScores, k: 3) ? 1 : 0,
                    top5: RankingMetrics.inTopK(predicted: predicted, gold: goldScores, k: 5) ? 1 : 0,
                    pearson: RankingMetrics.pearson(predicted, goldScores),
                    spearman: RankingMetrics.spearman(predicted, goldScores),
                    advantageOverEnglish: english.map { goldScores[best] - goldScores[$0] }))
        }
        guard !results.isEmpty else {
            throw InputError(
                file: gold.source,
                "no target has two or more candidate sources in both the predictions and this gold file")
        }
        self.k = k
        targets = results
        mean = Self.means(results)
    }

    private init(k: Int, targets: [TargetEvaluation], mean: MeanEvaluation) {
        self.k = k
        self.targets = targets
        self.mean = mean
    }

    /// Metrics per seed averaged over seeds: each target's values over the seeds that evaluated it, and
    /// the mean of the per-seed means.
    /// Evaluates each seed's matrix and averages over the seeds that can be evaluated: a seed computed
    /// for only some languages (a session still being computed) is left out instead of failing all.
    /// Throws the first seed's error when no seed can be evaluated, and when there are no seeds.
    public static func perSeed(
        _ matrices: [SimilarityMatrix], gold: TransferTable, k: Int = 3, lowerIsBetter: Bool = false,
        file: String? = nil
    ) throws -> TransferEvaluation {
        var runs: [TransferEvaluation] = []
        var firstError: Error?
        for matrix in matrices {
            do {
                runs.append(try TransferEvaluation(
                    predictions: TransferTable(matrix: matrix), gold: gold, k: k, lowerIsBetter: lowerIsBetter))
            } catch {
                firstError = firstError ?? error
            }
        }
        if let averaged = averaged(runs) { return averaged }
        throw firstError ?? InputError(file: file, "the session has no seeds to evaluate")
    }

    public static func averaged(_ runs: [TransferEvaluation]) -> TransferEvaluation? {
        guard let first = runs.first else { return nil }
        if runs.count == 1 { return first }
        var order: [String] = []
        var byTarget: [String: [TargetEvaluation]] = [:]
        for run in runs {
            for result in run.targets {
                if byTarget[result.target] == nil { order.append(result.target) }
                byTarget[result.target, default: []].append(result)
            }
        }
        let targets = order.map { target -> TargetEvaluation in
            let results = byTarget[target]!
            return TargetEvaluation(
                target: target, candidates: results[0].candidates,
                ndcg: mean(results.map(\.ndcg))!, top1: mean(results.map(\.top1))!,
                top3: mean(results.map(\.top3))!, top5: mean(results.map(\.top5))!,
                pearson: mean(results.compactMap(\.pearson)), spearman: mean(results.compactMap(\.spearman)),
                advantageOverEnglish: mean(results.compactMap(\.advantageOverEnglish)))
        }
        let means = runs.map(\.mean)
        return TransferEvaluation(
            k: first.k, targets: targets,
            mean: MeanEvaluation(
                ndcg: mean(means.map(\.ndcg))!, top1: mean(means.map(\.top1))!,
                top3: mean(means.map(\.top3))!, top5: mean(means.map(\.top5))!,
                pearson: mean(means.compactMap(\.pearson)), spearman: mean(means.compactMap(\.spearman)),
                advantageOverEnglish: mean(means.compactMap(\.advantageOverEnglish))))
    }

    /// Means over targets; a value undefined for a target is left out of its mean.
    static func means(_ results: [TargetEvaluation]) -> MeanEvaluation {
        MeanEvaluation(
            ndcg: mean(results.map(\.ndcg))!, top1: mean(results.map(\.top1))!,
            top3: mean(results.map(\.top3))!, top5: mean(results.map(\.top5))!,
            pearson: mean(results.compactMap(\.pearson)), spearman: mean(results.compactMap(\.spearman)),
            advantageOverEnglish: mean(results.compactMap(\.advantageOverEnglish)))
    }

    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}
