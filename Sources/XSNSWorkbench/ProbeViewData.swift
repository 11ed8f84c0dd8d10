import Foundation
import XSNSAnalysis
import XSNSProbe
import XSNSSession
import XSNSTUI

extension WorkbenchDataBuilder {
    /// The session's probe for the Probe view: every step count's Δ so far (runs still missing leave a
    /// cell partial or empty), and the current metric's ranking evaluated against the finished cells
    /// (NDCG@3, Spearman, per seed and averaged, as `xsns eval --gold probe`). Nil without a probe.
    func probeData(perSeed: [XSNSAnalysis.SimilarityMatrix], problems: inout [String]) -> ProbeData? {
        let results: ProbeResults?
        do {
            results = try ProbeResults.load(ProbePaths(session: session))
        } catch {
            problems.append("probe: \(error)")
            return nil
        }
        guard let results else { return nil }
        let options = results.options
        let tables = options.steps.map { steps -> ProbeData.Table in
            let evaluation = try? TransferEvaluation.perSeed(perSeed, gold: results.completeCells(steps: steps), k: 3)
            return ProbeData.Table(
                steps: steps, transfer: options.transfer, targets: options.targets,
                delta: results.deltaGrid(steps: steps), runsDone: results.runsGrid(steps: steps),
                runsPlanned: options.runs, ndcg: evaluation?.mean.ndcg, spearman: evaluation?.mean.spearman,
                evaluatedTargets: evaluation?.targets.count ?? 0)
        }
        return ProbeData(tables: tables, original: results.original)
    }
}
