/// Ranking: candidate source languages for the selected target, best first, with bars; with gold
/// loaded, each candidate's gold rank and the target's NDCG@k, Top-1, Pearson and Spearman; when the
/// session kept convergence points, how the masks (and NDCG) settle with the sentence count (X-SNS Fig. 6).
extension Renderer {
    mutating func drawRanking(in content: Rect) {
        let infoWidth = content.width >= 100 ? 34 : 26
        let (listRect, infoRect) = content.splitColumns(at: content.width - infoWidth)
        let target = state.selectedLanguage ?? ""
        let title = "Sources for \(target) (\(displayName(target))) \(theme.separator) j/k target"
        let list = pane("ranking", listRect).box(title: title, theme: theme, focused: true, into: &grid)
        let info = pane("ranking-info", infoRect).box(title: "Against gold", theme: theme, into: &grid)
        guard let matrix = state.currentMatrix, !target.isEmpty else {
            drawEmpty(list, ["Nothing to rank yet.", "Start the computation with s (Languages view)."])
            drawGoldInfo(info, target: target)
            return
        }
        let entries = rankingEntries(matrix: matrix, target: target, among: languages, gold: state.data.gold)
        drawEntries(entries, region: list)
        let used = drawGoldInfo(info, target: target)
        drawConvergence(info.sub(x: 0, y: used + 1, width: info.width, height: max(0, info.height - used - 1)))
    }

    /// Sentences, the mean Jaccard with the final masks, and NDCG@3 with gold; the last rows that fit.
    private mutating func drawConvergence(_ region: Region) {
        let points = state.data.convergence
        guard !points.isEmpty, region.height >= 3 else { return }
        let hasGold = points.contains { $0.ndcg != nil }
        region.write("Convergence", x: 0, y: 0, style: theme.title, into: &grid)
        region.write("    n  J→final" + (hasGold ? "  NDCG" : ""), x: 0, y: 1, style: theme.dim, into: &grid)
        for (row, point) in points.suffix(region.height - 2).enumerated() {
            let count = point.sentences.map(formatCount) ?? "final"
            var text = DisplayWidth.pad(count, to: 5, alignRight: true) + "  "
                + DisplayWidth.pad(formatFixed(point.jaccardToFinal, decimals: 3), to: 7, alignRight: true)
            if hasGold { text += "  " + formatOptional(point.ndcg, ascii: theme.ascii) }
            region.write(text, x: 0, y: row + 2, style: .plain, into: &grid)
        }
    }

    private mutating func drawEntries(_ entries: [RankingEntry], region: Region) {
        guard region.height > 1 else { return }
        let hasGold = state.data.gold != nil
        let header =
            " #  " + DisplayWidth.pad("lang", to: max(4, codeWidth)) + "  score  " + (hasGold ? "gold  " : "")
        region.write(header, x: 0, y: 0, style: theme.dim, into: &grid)
        let prefixWidth = DisplayWidth.of(header)
        let barWidth = max(0, region.width - prefixWidth - 1)
        let top = entries.map(\.score).max() ?? 1
        let selected = entries.firstIndex { $0.language == state.partnerLanguage } ?? 0
        let offset = Self.scrollOffset(selected: selected, count: entries.count, visible: region.height - 1)
        for (row, entry) in entries.dropFirst(offset).prefix(region.height - 1).enumerated() {
            let y = row + 1
            var text =
                DisplayWidth.pad(String(entry.rank), to: 2, alignRight: true) + "  "
                + DisplayWidth.pad(entry.language, to: max(4, codeWidth)) + "  " + formatFixed(entry.score, decimals: 3) + "  "
            if hasGold {
                text += DisplayWidth.pad(entry.goldRank.map(String.init) ?? "-", to: 4, alignRight: true) + "  "
            }
            let isPartner = entry.language == state.partnerLanguage
            var x = region.write(text, x: 0, y: y, style: isPartner ? theme.selected : .plain, into: &grid)
            // Bars are relative to the best candidate; a non-positive best leaves them empty.
            let (filled, _) = bar(top > 0 ? entry.score / top : 0, width: barWidth)
            x = region.write(filled, x: x, y: y, style: entry.goldRank == 1 ? theme.goldBar : theme.bar, into: &grid)
            if entry.goldRank == 1, x < region.width - 6 {
                region.write(" gold 1", x: x, y: y, style: theme.dim, into: &grid)
            }
        }
    }

    /// Returns the rows it used.
    @discardableResult
    private mutating func drawGoldInfo(_ region: Region, target: String) -> Int {
        guard let gold = state.data.gold else {
            let lines = ["No gold scores loaded.", ":gold FILE loads a CSV", "(source,target,score)."]
            if state.data.convergence.isEmpty {
                drawEmpty(region, lines)
            } else {
                for (y, line) in lines.prefix(region.height).enumerated() { region.write(line, x: 0, y: y, style: theme.dim, into: &grid) }
            }
            return lines.count
        }
        var lines: [(String, Style)] = [(DisplayWidth.truncate(gold.source, to: region.width, ascii: theme.ascii), theme.dim)]
        if let evaluation = gold.evaluations[target] {
            lines.append(("target \(target)", theme.title))
            lines.append(("NDCG@\(evaluation.k)   \(formatOptional(evaluation.ndcg, ascii: theme.ascii))", .plain))
            let top1 = evaluation.top1.map { $0 ? theme.check : theme.cross } ?? (theme.ascii ? "-" : "—")
            lines.append(("Top-1    \(top1)", .plain))
            lines.append(("Pearson  \(formatOptional(evaluation.pearson, ascii: theme.ascii))", .plain))
            lines.append(("Spearman \(formatOptional(evaluation.spearman, ascii: theme.ascii))", .plain))
        } else {
            lines.append(("no gold scores for \(target)", theme.dim))
        }
        for (y, line) in lines.prefix(region.height).enumerated() {
            region.write(line.0, x: 0, y: y, style: line.1, into: &grid)
        }
        return lines.count
    }
}
