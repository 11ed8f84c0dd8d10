/// Heads: the layers × heads grid of how many languages keep each attention head, and the
/// selected language's own head mask.
extension Renderer {
    mutating func drawHeads(in content: Rect) {
        // Counts take three columns per head, the mask two; the mask keeps at least 30 columns.
        let heads = state.data.headCounts.map(\.count).max() ?? 0
        let (left, right) = content.splitColumns(at: max(content.width / 2, min(content.width - 30, 6 + 3 * heads)))
        let counts = pane("heads", left).box(
            title: "Languages per head (of \(state.data.headMasks.count))", theme: theme, focused: true, into: &grid)
        let code = state.selectedLanguage ?? ""
        let mask = pane("head-mask", right).box(title: "Head mask \(code) \(theme.separator) j/k", theme: theme,
                                                into: &grid)
        guard !state.data.headCounts.isEmpty else {
            drawEmpty(counts, ["No head data yet."])
            return
        }
        drawCounts(region: counts)
        let source = switch state.data.headSource {
        case .pruned: "masks: pruned (prune-heads)"
        case .importance(let fraction): "masks: top \(Int((fraction * 100).rounded()))% by importance"
        }
        counts.write(source, x: 0, y: state.data.headCounts.count + 2, style: theme.dim, into: &grid)
        if let heads = state.data.headMasks[code] {
            drawMask(heads, region: mask)
            if let curve = state.data.pruningCurves[code] {
                drawCurve(curve, region: mask.sub(x: 0, y: heads.count + 2, width: mask.width,
                                                   height: max(0, mask.height - heads.count - 2)))
            }
        } else {
            drawEmpty(mask, ["No head mask for \(code) yet."])
        }
    }

    /// Head columns are numbered at the top; a layer per row.
    private mutating func drawHeadHeader(heads: Int, cellWidth: Int, region: Region) {
        for head in 0..<heads {
            region.write(DisplayWidth.pad(String(head), to: cellWidth - 1, alignRight: true), x: 4 + head * cellWidth,
                         y: 0, style: theme.dim, into: &grid)
        }
    }

    private mutating func drawCounts(region: Region) {
        let table = state.data.headCounts
        let heads = table.map(\.count).max() ?? 0
        let total = max(1, state.data.headMasks.count)
        let cellWidth = 3
        drawHeadHeader(heads: heads, cellWidth: cellWidth, region: region)
        for (layer, row) in table.prefix(max(0, region.height - 1)).enumerated() {
            let y = layer + 1
            region.write("L\(layer)", x: 0, y: y, style: theme.dim, into: &grid)
            for (head, count) in row.enumerated() {
                let x = 4 + head * cellWidth
                if count == 0 {
                    region.write(DisplayWidth.pad(String(theme.headOff), to: cellWidth - 1, alignRight: true), x: x,
                                 y: y, style: theme.dim, into: &grid)
                } else {
                    // Colour follows the ramp; without colour the number alone carries the value.
                    let (_, style) = theme.rampCell(Double(count) / Double(total))
                    region.write(DisplayWidth.pad(String(count), to: cellWidth - 1, alignRight: true), x: x, y: y,
                                 style: style.adding(count == total ? .bold : []), into: &grid)
                }
            }
        }
    }

    private mutating func drawMask(_ mask: [[Bool]], region: Region) {
        for (layer, row) in mask.prefix(max(0, region.height - 1)).enumerated() {
            let y = layer + 1
            region.write("L\(layer)", x: 0, y: y, style: theme.dim, into: &grid)
            for (head, kept) in row.enumerated() {
                region.write(String(kept ? theme.headOn : theme.headOff), x: 4 + head * 2, y: y,
                             style: kept ? theme.accent : theme.dim, into: &grid)
            }
        }
        // One column per head: the header shows the last digit of the head number.
        for head in 0..<(mask.map(\.count).max() ?? 0) {
            region.write(String(head % 10), x: 4 + head * 2, y: 0, style: theme.dim, into: &grid)
        }
    }

    /// The pruning steps, newest last: heads left, accuracy, and whether the step was kept. Shows the last
    /// steps that fit.
    private mutating func drawCurve(_ curve: [PruningPoint], region: Region) {
        guard region.height >= 2 else { return }
        region.write("heads accuracy (pruning)", x: 0, y: 0, style: theme.dim, into: &grid)
        for (row, point) in curve.suffix(region.height - 1).enumerated() {
            let heads = DisplayWidth.pad(String(point.heads), to: 5, alignRight: true)
            let accuracy = DisplayWidth.pad(formatFixed(point.accuracy * 100, decimals: 2) + "%", to: 9, alignRight: true)
            let text: String = heads + accuracy + (point.accepted ? "" : " below keep")
            region.write(text, x: 0, y: row + 1, style: point.accepted ? .plain : theme.dim, into: &grid)
        }
    }
}
