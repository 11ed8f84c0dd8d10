import XSNSStorage

public enum OutputFormat: String, CaseIterable, Sendable {
    case table, csv, json
}

/// The text of `xsns matrix|rank|layers|eval` in each format (DESIGN.md "CLI contract"). Tables round
/// to four decimals for reading; CSV and JSON carry every digit.
public enum AnalysisReports {
    /// A p from the command line: (0, 1) exclusive.
    public static func validate(p: Double) throws {
        guard p > 0, p < 1 else { throw InputError("--p must lie strictly between 0 and 1 (got \(p))") }
    }

    public static func matrix(_ matrix: SimilarityMatrix, metric: String, p: Double?, format: OutputFormat) -> String {
        switch format {
        case .json:
            return JSONValue.object([
                ("metric", .string(metric)), ("p", .optional(p)),
                ("languages", .array(matrix.languages.map { .string($0) })),
                ("matrix", .array(matrix.values.map { .array($0.map { .optional($0) }) })),
            ]).rendered + "\n"
        case .csv:
            return TextTable.csv(
                [["language"] + matrix.languages]
                    + zip(matrix.languages, matrix.values).map { [$0] + $1.map { $0.map(NumberText.exact) ?? "" } })
        case .table:
            return TextTable.render(
                [[""] + matrix.languages]
                    + zip(matrix.languages, matrix.values).map { [$0] + $1.map { NumberText.fixed($0) } })
        }
    }

    public static func rank(_ ranking: Ranking, metric: String, p: Double?, format: OutputFormat) -> String {
        switch format {
        case .json:
            return JSONValue.object([
                ("target", .string(ranking.target)), ("metric", .string(metric)), ("p", .optional(p)),
                ("candidates", .array(ranking.candidates.map {
                    .object([("language", .string($0.language)), ("score", .number($0.score))])
                })),
            ]).rendered + "\n"
        case .csv:
            return TextTable.csv(
                [["rank", "language", "score"]]
                    + ranking.candidates.enumerated().map { [String($0.offset + 1), $0.element.language, NumberText.exact($0.element.score)] })
        case .table:
            return TextTable.render(
                [["rank", "language", metric]]
                    + ranking.candidates.enumerated().map { [String($0.offset + 1), $0.element.language, NumberText.fixed($0.element.score)] })
        }
    }

    /// Per-layer Jaccard of a pair with each language's share of its sub-network per layer, then the
    /// per-component Jaccard over all layers.
    public static func layers(
        _ view: PairLayerView, pair: (String, String), shares: (a: [Double], b: [Double]), p: Double, format: OutputFormat
    ) -> String {
        let (a, b) = pair
        switch format {
        case .json:
            return JSONValue.object([
                ("pair", .array([.string(a), .string(b)])), ("p", .number(p)), ("metric", .string("jaccard")),
                ("layers", .array(view.layers.enumerated().map { layer, value in
                    .object([
                        ("layer", .integer(layer)), ("jaccard", .optional(value)),
                        ("share", .object([(a, .number(shares.a[layer])), (b, .number(shares.b[layer]))])),
                    ])
                })),
                ("components", .array(EncoderComponent.allCases.map { component in
                    .object([("component", .string(component.rawValue)), ("jaccard", .optional(view.components[component] ?? nil))])
                })),
                ("grid", .object([
                    ("components", .array(EncoderComponent.allCases.map { .string($0.rawValue) })),
                    ("jaccard", .array(view.grid.map { .array($0.map { .optional($0) }) })),
                ])),
            ]).rendered + "\n"
        case .csv:
            var rows = [["scope", "name", "jaccard", "share_\(a)", "share_\(b)"]]
            for (layer, value) in view.layers.enumerated() {
                rows.append(["layer", String(layer), value.map(NumberText.exact) ?? "",
                             NumberText.exact(shares.a[layer]), NumberText.exact(shares.b[layer])])
            }
            for component in EncoderComponent.allCases {
                rows.append(["component", component.rawValue, (view.components[component] ?? nil).map(NumberText.exact) ?? "", "", ""])
            }
            return TextTable.csv(rows)
        case .table:
            var rows = [["layer", "jaccard", "share \(a)", "share \(b)"]]
            for (layer, value) in view.layers.enumerated() {
                rows.append([String(layer), NumberText.fixed(value), NumberText.fixed(shares.a[layer]), NumberText.fixed(shares.b[layer])])
            }
            var components = [["component", "jaccard"]]
            for component in EncoderComponent.allCases {
                components.append([component.rawValue, NumberText.fixed(view.components[component] ?? nil)])
            }
            return "\(a) vs \(b), p = \(NumberText.exact(p))\n\n" + TextTable.render(rows) + "\n" + TextTable.render(components)
        }
    }

    public static func evaluationJSON(_ evaluation: TransferEvaluation) -> JSONValue {
        .object([
            ("k", .integer(evaluation.k)),
            ("mean", .object([
                ("ndcg", .number(evaluation.mean.ndcg)), ("top1", .number(evaluation.mean.top1)),
                ("top3", .number(evaluation.mean.top3)), ("top5", .number(evaluation.mean.top5)),
                ("pearson", .optional(evaluation.mean.pearson)), ("spearman", .optional(evaluation.mean.spearman)),
                ("adv_over_en", .optional(evaluation.mean.advantageOverEnglish)),
            ])),
            ("targets", .object(evaluation.targets.map { result in
                (result.target, .object([
                    ("ndcg", .number(result.ndcg)), ("top1", .number(result.top1)),
                    ("top3", .number(result.top3)), ("top5", .number(result.top5)),
                    ("pearson", .optional(result.pearson)), ("spearman", .optional(result.spearman)),
                    ("adv_over_en", .optional(result.advantageOverEnglish)),
                    ("n", .integer(result.candidates)),
                ]))
            })),
        ])
    }

    public static func evaluationRows(_ evaluation: TransferEvaluation) -> [[String]] {
        var rows = [["target", "n", "ndcg@\(evaluation.k)", "top1", "top3", "top5", "pearson", "spearman", "adv/en"]]
        for result in evaluation.targets {
            rows.append([result.target, String(result.candidates), NumberText.fixed(result.ndcg), NumberText.fixed(result.top1),
                         NumberText.fixed(result.top3), NumberText.fixed(result.top5),
                         NumberText.fixed(result.pearson), NumberText.fixed(result.spearman),
                         NumberText.fixed(result.advantageOverEnglish)])
        }
        let mean = evaluation.mean
        rows.append(["mean", String(evaluation.targets.count), NumberText.fixed(mean.ndcg), NumberText.fixed(mean.top1),
                     NumberText.fixed(mean.top3), NumberText.fixed(mean.top5), NumberText.fixed(mean.pearson),
                     NumberText.fixed(mean.spearman), NumberText.fixed(mean.advantageOverEnglish)])
        return rows
    }

    public static func evaluation(_ evaluation: TransferEvaluation, regression: TransferRegression?,
                                  perRun: TransferRegression.PerRun? = nil, format: OutputFormat) -> String {
        switch format {
        case .json:
            guard let perRun, case .object(var fields) = evaluationJSON(evaluation) else {
                return evaluationJSON(evaluation).rendered + "\n"
            }
            fields.append(("regression_per_run", .object([
                ("runs", .integer(perRun.runs)), ("rmse", .number(perRun.rmse)), ("r_squared", .number(perRun.rSquared)),
            ])))
            return JSONValue.object(fields).rendered + "\n"
        case .csv:
            var rows = [["target", "n", "ndcg", "top1", "top3", "top5", "pearson", "spearman", "adv_over_en"]]
            for result in evaluation.targets {
                rows.append([result.target, String(result.candidates), NumberText.exact(result.ndcg), NumberText.exact(result.top1),
                             NumberText.exact(result.top3), NumberText.exact(result.top5),
                             result.pearson.map(NumberText.exact) ?? "", result.spearman.map(NumberText.exact) ?? "",
                             result.advantageOverEnglish.map(NumberText.exact) ?? ""])
            }
            return TextTable.csv(rows)
        case .table:
            var text = TextTable.render(evaluationRows(evaluation))
            if let regression {
                text += "\nOLS gold ≈ \(regression.equation("score"))"
                    + " over \(regression.pairs) pairs: RMSE \(NumberText.fixed(regression.rmse)), R² \(NumberText.fixed(regression.rSquared))\n"
            }
            if let perRun {
                text += "per run, as the X-SNS notebook (\(perRun.runs) runs of Fisher seed × gold seed): "
                    + "RMSE \(NumberText.fixed(perRun.rmse)), R² = (mean r)² \(NumberText.fixed(perRun.rSquared)) (gold's unit)\n"
            }
            return text
        }
    }
}
