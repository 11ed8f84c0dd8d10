import Foundation

/// Tables over the languages' pruned head sub-networks (`HeadPruningRecord`), as Choenni et al. report
/// them: how many languages enable each head (their Fig. 12), pairwise overlaps as counts and as the
/// asymmetric share of one language's heads found in another's (Fig. 13–15), similarity of the masks,
/// and each language's pruning curve. Rows are ready for `TextTable`.
public enum PrunedHeadViews {
    public static func summary(_ records: [String: HeadPruningRecord]) -> [[String]] {
        var rows = [["language", "heads", "of", "accuracy", "unpruned", "steps", "state"]]
        for language in records.keys.sorted() {
            let record = records[language]!
            let kept = record.steps.last(where: \.accepted)
            rows.append([language, kept.map { "\($0.heads)" } ?? "-", "\(record.layers * record.heads)",
                         kept.map { percent($0.accuracy) } ?? "-", record.steps.first.map { percent($0.accuracy) } ?? "-",
                         "\(max(0, record.steps.count - 1))", record.finished ? "done" : "in progress"])
        }
        return rows
    }

    /// [layer][head]: how many of the languages' sub-networks enable the head.
    public static func usageGrid(_ records: [String: HeadPruningRecord]) -> [[String]] {
        let masks = records.keys.sorted().map { records[$0]!.subnetwork }
        let usage = HeadMask.usage(masks)
        guard let first = usage.first else { return [] }
        let header = ["layer"] + first.indices.map { "h\($0)" }
        return [header] + usage.enumerated().map { layer, row in ["\(layer)"] + row.map(String.init) }
    }

    public enum Pairwise: String, CaseIterable, Sendable {
        /// Heads both enable.
        case overlap
        /// The share of the row language's heads that the column language enables too.
        case share
        case jaccard
        case cosine
    }

    public static func pairwise(_ records: [String: HeadPruningRecord], _ kind: Pairwise) -> [[String]] {
        let languages = records.keys.sorted()
        let masks = languages.map { records[$0]!.subnetwork }
        return [[kind.rawValue] + languages] + languages.indices.map { i in
            [languages[i]] + languages.indices.map { j -> String in
                switch kind {
                case .overlap: return "\(masks[i].overlap(masks[j]))"
                case .share: return percent(masks[i].share(in: masks[j]))
                case .jaccard: return String(format: "%.3f", masks[i].jaccard(masks[j]))
                case .cosine: return String(format: "%.3f", masks[i].cosine(masks[j]))
                }
            }
        }
    }

    /// Heads left against accuracy at each step; the rejected last step is marked.
    public static func curve(_ record: HeadPruningRecord) -> [[String]] {
        [["step", "heads", "accuracy", "loss", "accepted"]] + record.steps.enumerated().map { index, step in
            ["\(index)", "\(step.heads)", percent(step.accuracy), String(format: "%.4f", step.loss), step.accepted ? "yes" : "no"]
        }
    }

    static func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }
}
