/// The Markdown summary at the top of an export folder.
struct ExportReport {
    let session: String
    let masks: SessionMasks
    let p: Double
    let jaccard: SimilarityMatrix
    let layers: LayerTables
    let gold: String?
    let evaluation: TransferEvaluation?
    let regression: TransferRegression?
    let files: [String]

    var markdown: String {
        var text = "# X-SNS analysis of session `\(session)`\n\n"
        text += "- Languages: \(masks.languages.joined(separator: ", "))\n"
        text += "- Seeds: \(masks.seeds.map(String.init).joined(separator: ", ")) (similarities are means over seeds)\n"
        text += "- Sub-networks: the top p = \(NumberText.exact(p)) of θ by Fisher information (one global threshold, "
        text += "ties at the threshold kept)\n"
        text += "- θ: \(masks.layout.totalCount) parameters in \(masks.layout.entries.count) tensors\n"
        text += "\n## Jaccard similarity\n\n"
        text += TextTable.markdown([[""] + jaccard.languages] + zip(jaccard.languages, jaccard.values).map { [$0] + $1.map { NumberText.fixed($0, 3) } })
        text += "\n![Jaccard heatmap](figures/heatmap-jaccard.svg)\n\n## Best sources per target\n\n"
        var rows = [["target", "1st", "2nd", "3rd"]]
        for target in masks.languages {
            let best = Ranking(target: target, matrix: jaccard).candidates.prefix(3).map { "\($0.language) (\(NumberText.fixed($0.score, 3)))" }
            rows.append([target] + best + Array(repeating: "", count: 3 - best.count))
        }
        text += TextTable.markdown(rows)
        text += "\n## Share of each sub-network per layer\n\n" + TextTable.markdown(layers.shareRows(exact: false))
        if let evaluation, let gold {
            text += "\n## Evaluation against `\(gold)`\n\nMetrics per seed, averaged over seeds; NDCG@\(evaluation.k) with "
            text += "relevance = rank of the gold score.\n\n" + TextTable.markdown(AnalysisReports.evaluationRows(evaluation))
            if let regression {
                text += "\nOLS over \(regression.pairs) pairs: gold ≈ \(regression.equation("Jaccard")), RMSE \(NumberText.fixed(regression.rmse)), "
                text += "R² \(NumberText.fixed(regression.rSquared)).\n"
            }
        }
        text += "\n## Files\n\n" + files.sorted().map { "- `\($0)`" }.joined(separator: "\n") + "\n"
        return text
    }
}
