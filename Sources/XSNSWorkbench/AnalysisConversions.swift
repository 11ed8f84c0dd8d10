import XSNSAnalysis
import XSNSTUI

/// The analysis module's results as the TUI's plain view models (both modules name their types
/// `SimilarityMatrix` and `TargetEvaluation`, hence the qualified names).
enum AnalysisConversions {
    /// A missing pair (no seed in common) becomes NaN, which the views print as n/a and rank last.
    static func matrix(_ matrix: XSNSAnalysis.SimilarityMatrix, metric: Metric, p: Double, seeds: Int)
        -> XSNSTUI.SimilarityMatrix
    {
        XSNSTUI.SimilarityMatrix(
            metric: metric, p: p, languages: matrix.languages,
            values: matrix.values.map { $0.map { $0 ?? .nan } }, seeds: seeds)
    }

    /// Per layer and per component; where neither mask has a parameter the overlap is undefined
    /// (NaN, shown as n/a), not 0: an empty union says nothing about sharing.
    static func overlap(_ view: PairLayerView) -> PairOverlap {
        PairOverlap(
            perLayer: view.layers.map { $0 ?? .nan },
            perComponent: EncoderComponent.allCases.map { ($0.rawValue, (view.components[$0] ?? nil) ?? .nan) })
    }

    /// Top-1 averaged over seeds is a fraction; the view shows a tick when most seeds got it right.
    static func evaluation(_ evaluation: XSNSAnalysis.TargetEvaluation, k: Int) -> XSNSTUI.TargetEvaluation {
        XSNSTUI.TargetEvaluation(
            k: k, ndcg: evaluation.ndcg, top1: evaluation.top1 > 0.5, pearson: evaluation.pearson,
            spearman: evaluation.spearman)
    }

    static func gold(_ table: TransferTable, name: String) -> GoldData {
        var scores: [String: [String: Double]] = [:]
        for pair in table.pairs { scores[pair.target, default: [:]][pair.source] = pair.value }
        return GoldData(source: name, scores: scores)
    }
}
