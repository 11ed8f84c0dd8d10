/// Heatmap: the similarity matrix of the current metric, colour ramp scaled to the off-diagonal
/// range, a cursor whose exact value the side pane shows, with the legend and nearest languages.
extension Renderer {
    mutating func drawHeatmap(in content: Rect) {
        let labelWidth = codeWidth + 1
        // The side pane keeps a fixed width; cells grow (up to 4 columns) into the room left.
        let infoWidth = content.width >= 100 ? 34 : 26
        let room = content.width - infoWidth - labelWidth - 2
        let cellWidth = max(codeWidth + 1, min(4, room / max(1, languages.count)))
        // At least wide enough for the title; more when there are many languages.
        let wanted = max(40, labelWidth + cellWidth * languages.count + 2)
        let (mapRect, infoRect) = content.splitColumns(at: min(wanted, content.width - infoWidth))
        let orderLabel = state.order == .clustered ? "clustered" : "alphabetical"
        let pLabel = state.metric.dependsOnP ? " p=\(formatP(currentMatrixP))" : ""
        let map = pane("heatmap", mapRect).box(
            title: "\(state.metric.rawValue)\(pLabel) \(theme.separator) \(orderLabel)", theme: theme, focused: true,
            into: &grid)
        let info = pane("heatmap-info", infoRect).box(title: "Cursor", theme: theme, into: &grid)
        guard let matrix = state.currentMatrix, !languages.isEmpty else {
            drawEmpty(map, emptyHeatmapLines)
            return
        }
        let range = offDiagonalRange(matrix)
        drawMatrix(matrix, range: range, region: map, cellWidth: cellWidth, labelWidth: labelWidth)
        drawHeatmapInfo(matrix, range: range, region: info)
    }

    /// Before the first matrix. Finished runs are being read (opening a paper-scale session takes
    /// seconds): say so, with the progress line, rather than invite a computation that is done.
    private var emptyHeatmapLines: [String] {
        let metric = state.metric.rawValue
        if state.metric.isOptional { return ["No \(metric) similarities yet.", "Needs sentence sketches: xsns compute … --sketch 1024."] }
        let finished = state.data.languages.count { $0.status == .done }
        if state.metric.dependsOnP, finished >= 2, !state.messageIsError {
            return ["Computing \(metric) similarities…", state.message ?? ""]
        }
        let hint = state.metric.dependsOnP ? "Start the computation with s (Languages view)." : "Computed once the corpora are read."
        return ["No \(metric) similarities yet.", hint]
    }

    /// The p the shown matrix was computed at (may lag behind the requested p briefly).
    private var currentMatrixP: Double { state.currentMatrix?.p ?? state.p }

    private func offDiagonalRange(_ matrix: SimilarityMatrix) -> ClosedRange<Double> {
        var low = Double.infinity
        var high = -Double.infinity
        for a in languages {
            for b in languages where a != b {
                if let value = matrix.value(a, b), value.isFinite {
                    low = min(low, value)
                    high = max(high, value)
                }
            }
        }
        guard low.isFinite, high.isFinite else { return 0...1 }
        return low...high
    }

    private func fraction(_ value: Double, in range: ClosedRange<Double>) -> Double {
        let span = range.upperBound - range.lowerBound
        guard span > 1e-12 else { return 0.5 }
        return (value - range.lowerBound) / span
    }

    private mutating func drawMatrix(
        _ matrix: SimilarityMatrix, range: ClosedRange<Double>, region: Region, cellWidth: Int, labelWidth: Int
    ) {
        let rowIndex = state.selectedLanguage.flatMap { languages.firstIndex(of: $0) } ?? 0
        let columnIndex = state.partnerLanguage.flatMap { languages.firstIndex(of: $0) } ?? 0
        let visibleRows = max(0, region.height - 1)
        let visibleColumns = max(0, (region.width - labelWidth) / cellWidth)
        let rowOffset = Self.scrollOffset(selected: rowIndex, count: languages.count, visible: visibleRows)
        let columnOffset = Self.scrollOffset(selected: columnIndex, count: languages.count, visible: visibleColumns)
        let rows = Array(languages.enumerated().dropFirst(rowOffset).prefix(visibleRows))
        let columns = Array(languages.enumerated().dropFirst(columnOffset).prefix(visibleColumns))

        for (slot, (index, code)) in columns.enumerated() {
            let style = index == columnIndex ? theme.selected : theme.dim
            region.write(DisplayWidth.pad(code, to: codeWidth), x: labelWidth + slot * cellWidth, y: 0, style: style,
                         into: &grid)
        }
        for (rowSlot, (row, rowCode)) in rows.enumerated() {
            let y = rowSlot + 1
            region.write(DisplayWidth.pad(rowCode, to: codeWidth), x: 0, y: y,
                         style: row == rowIndex ? theme.selected : theme.dim, into: &grid)
            for (slot, (column, columnCode)) in columns.enumerated() {
                let x = labelWidth + slot * cellWidth
                let isCursor = row == rowIndex && column == columnIndex
                guard let value = matrix.value(rowCode, columnCode), value.isFinite else {
                    // Not computed yet; the cursor stays visible on it.
                    region.write(theme.ascii ? "?" : "·", x: x, y: y, style: isCursor ? theme.selected : theme.dim,
                                 into: &grid)
                    continue
                }
                if isCursor {
                    // The cursor cell shows the value's first digits; the side pane has it in full.
                    let digits = Self.cursorDigits(value)
                    region.write(DisplayWidth.pad(digits, to: cellWidth - 1), x: x, y: y,
                                 style: theme.selected.adding(.bold), into: &grid)
                } else {
                    let (glyph, style) = theme.rampCell(fraction(value, in: range))
                    region.write(String(repeating: glyph, count: cellWidth - 1), x: x, y: y, style: style, into: &grid)
                }
            }
        }
    }

    /// Two columns for the cursor cell: hundredths ("61" for 0.61), "1" for 1, "-" below 0.
    static func cursorDigits(_ value: Double) -> String {
        let hundredths = Int((min(1, max(-1, value)) * 100).rounded())
        if hundredths >= 100 { return "1" }
        if hundredths < 0 { return "-" }
        return hundredths < 10 ? "0\(hundredths)" : "\(hundredths)"
    }

    private mutating func drawHeatmapInfo(_ matrix: SimilarityMatrix, range: ClosedRange<Double>, region: Region) {
        var lines: [(String, Style)] = []
        if let row = state.selectedLanguage, let column = state.partnerLanguage {
            lines.append(("\(row) \(theme.times) \(column)  \(displayName(row)) \(theme.times) \(displayName(column))", theme.title))
            let value = matrix.value(row, column).map { formatFixed($0, decimals: 4) } ?? "n/a"
            lines.append(("\(matrix.metric.rawValue) = \(value)", .plain))
            let seeds = matrix.seeds == 1 ? "1 seed" : "mean of \(matrix.seeds) seeds"
            lines.append(((matrix.metric.dependsOnP ? "p=\(formatP(matrix.p)) \(theme.dot) " : "") + seeds, theme.dim))
        }
        if state.matrixIsStale {
            lines.append(("recomputing at p=\(formatP(state.p))\(theme.ellipsis)", theme.warning))
        }
        var y = 0
        for (text, style) in lines where y < region.height {
            region.write(text, x: 0, y: y, style: style, into: &grid)
            y += 1
        }
        // Legend: the ramp from the lowest to the highest off-diagonal value.
        if y < region.height {
            let low = formatFixed(range.lowerBound, decimals: 2)
            let high = formatFixed(range.upperBound, decimals: 2)
            var x = region.write(low + " ", x: 0, y: y, style: theme.dim, into: &grid)
            let levels = theme.rampLevels
            for level in 0..<levels {
                let (glyph, style) = theme.rampCell((Double(level) + 0.5) / Double(levels))
                x = region.write(String(glyph), x: x, y: y, style: style, into: &grid)
            }
            region.write(" " + high, x: x, y: y, style: theme.dim, into: &grid)
            y += 1
        }
        if y + 1 < region.height, let row = state.selectedLanguage {
            y += 1
            region.write("closest to \(row):", x: 0, y: y, style: theme.dim, into: &grid)
            y += 1
            let entries = rankingEntries(matrix: matrix, target: row, among: languages, gold: nil)
            for entry in entries.prefix(max(0, region.height - y - 1)) {
                region.write("\(entry.rank). \(entry.language)  \(formatFixed(entry.score, decimals: 3))", x: 1, y: y,
                             into: &grid)
                y += 1
            }
        }
        if region.height >= 8 {
            region.write("arrows/hjkl move \(theme.dot) m metric \(theme.dot) o order \(theme.dot) +/- p", x: 0, y: region.height - 1,
                         style: theme.dim, into: &grid)
        }
    }
}
