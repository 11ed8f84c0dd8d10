/// Layers: where the selected pair's sub-networks overlap (per layer and per component), and a
/// layers × languages pane showing how much of each layer each language's sub-network keeps.
extension Renderer {
    mutating func drawLayers(in content: Rect) {
        let (left, right) = content.splitColumns(at: content.width / 2)
        let first = state.selectedLanguage ?? ""
        let second = state.partnerLanguage ?? ""
        let overlapTitle = "Overlap \(first) \(theme.times) \(second) by layer \(theme.separator) j/k h/l"
        let overlap = pane("layers", left).box(title: overlapTitle, theme: theme, focused: true, into: &grid)
        let shares = pane("layer-shares", right).box(title: "Sub-network share by layer", theme: theme, into: &grid)
        if let pair = state.data.pairOverlaps[LanguagePair(first, second)], first != second {
            drawOverlap(pair, region: overlap)
        } else {
            drawEmpty(overlap, [first == second ? "Pick two different languages (h/l)." : "No overlap data yet for this pair."])
        }
        drawShares(region: shares)
    }

    private mutating func drawOverlap(_ pair: PairOverlap, region: Region) {
        let components: [(String, Double)] = pair.perComponent.map { ($0.name, $0.value) }
        let listed = pair.perLayer.count + 1 + components.count
        if listed <= region.height {
            let layers = pair.perLayer.enumerated().map { ("L\($0.offset)", $0.element) }
            drawBarList(layers, region: region, y: 0)
            region.write("by component", x: 0, y: layers.count, style: theme.dim, into: &grid)
            drawBarList(components, region: region, y: layers.count + 1)
        } else {
            // Too few rows for one line per layer: layers become a vertical bar chart.
            let chartHeight = max(2, region.height - components.count - 2)
            drawColumnChart(pair.perLayer, region: region.sub(x: 0, y: 0, width: region.width, height: chartHeight + 1))
            drawBarList(components, region: region, y: chartHeight + 1)
        }
    }

    /// Labelled horizontal bars, one per row from `y`, for values in [0, 1].
    private mutating func drawBarList(_ rows: [(String, Double)], region: Region, y: Int) {
        let labelWidth = max(3, rows.map { DisplayWidth.of($0.0) }.max() ?? 3)
        let barWidth = max(0, region.width - labelWidth - 8)
        for (offset, row) in rows.enumerated() where y + offset < region.height {
            var x = region.write(DisplayWidth.pad(row.0, to: labelWidth), x: 0, y: y + offset, style: theme.dim,
                                 into: &grid)
            x = region.write(" " + formatFixed(row.1, decimals: 3) + " ", x: x, y: y + offset, into: &grid)
            region.write(bar(row.1, width: barWidth).filled, x: x, y: y + offset, style: theme.bar, into: &grid)
        }
    }

    /// Vertical bars (values in [0, 1]) over all but the last row, which numbers the layers.
    private mutating func drawColumnChart(_ values: [Double], region: Region) {
        let height = region.height - 1
        guard height > 0 else { return }
        let eighths: [Character] = theme.ascii ? [] : ["▁", "▂", "▃", "▄", "▅", "▆", "▇"]
        for (layer, value) in values.enumerated() {
            let x = 1 + layer * 2
            let clamped = value.isFinite ? min(1, max(0, value)) : 0
            let filled = Int((clamped * Double(height * 8)).rounded())
            for row in 0..<height {
                let fromBottom = height - 1 - row
                let level = filled - fromBottom * 8
                let glyph: Character
                if level >= 8 {
                    glyph = theme.barFull
                } else if level > 0 {
                    glyph = eighths.isEmpty ? (level >= 4 ? theme.barFull : " ") : eighths[level - 1]
                } else {
                    continue
                }
                region.write(String(glyph), x: x, y: row, style: theme.bar, into: &grid)
            }
            region.write(String(layer % 10), x: x, y: height, style: theme.dim, into: &grid)
        }
    }

    private mutating func drawShares(region: Region) {
        let codes = languages.filter { state.data.layerShares[$0] != nil }
        guard let layerCount = codes.compactMap({ state.data.layerShares[$0]?.count }).max(), layerCount > 0 else {
            drawEmpty(region, ["No per-layer data yet."])
            return
        }
        // Shades are relative to the largest share so that the pattern over layers stands out.
        let top = codes.flatMap { state.data.layerShares[$0] ?? [] }.filter(\.isFinite).max() ?? 1
        let cellWidth = codeWidth + 1
        let labelWidth = 4
        let selected = state.selectedLanguage.flatMap { codes.firstIndex(of: $0) } ?? 0
        let visibleColumns = max(0, (region.width - labelWidth) / cellWidth)
        let offset = Self.scrollOffset(selected: selected, count: codes.count, visible: visibleColumns)
        let columns = Array(codes.enumerated().dropFirst(offset).prefix(visibleColumns))
        for (slot, (index, code)) in columns.enumerated() {
            region.write(DisplayWidth.pad(code, to: codeWidth), x: labelWidth + slot * cellWidth, y: 0,
                         style: index == selected ? theme.selected : theme.dim, into: &grid)
        }
        for layer in 0..<min(layerCount, max(0, region.height - 1)) {
            let y = layer + 1
            region.write("L\(layer)", x: 0, y: y, style: theme.dim, into: &grid)
            for (slot, (_, code)) in columns.enumerated() {
                guard let shares = state.data.layerShares[code], layer < shares.count else { continue }
                let (glyph, style) = theme.rampCell(top > 0 ? shares[layer] / top : 0)
                region.write(String(repeating: glyph, count: cellWidth - 1), x: labelWidth + slot * cellWidth, y: y,
                             style: style, into: &grid)
            }
        }
    }
}
