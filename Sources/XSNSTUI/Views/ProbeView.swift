/// Probe: measured transfer (2403.20088) beside predicted transfer. Left, the Δ accuracy (points) of
/// each transfer language (row) on each target (column) for one step count N, coloured on a ramp
/// symmetric around zero, cells filling in as runs finish, and each target's original accuracy.
/// Right, how well the current metric ranks the transfer languages the probe measured.
extension Renderer {
    mutating func drawProbe(in content: Rect) {
        let infoWidth = content.width >= 100 ? 34 : 28
        let (tableRect, infoRect) = content.splitColumns(at: content.width - infoWidth)
        guard let table = state.probeTable, let probe = state.data.probe else {
            let region = pane("probe", tableRect).box(title: "Probe", theme: theme, focused: true, into: &grid)
            _ = pane("probe-info", infoRect).box(title: "Predicted vs measured", theme: theme, into: &grid)
            drawEmpty(region, ["No transfer probe in this session yet.", "xsns probe-task, then xsns probe",
                               "(see README: the probe)."])
            return
        }
        let progress = "\(table.finishedRuns)/\(table.plannedRuns) runs"
        let region = pane("probe", tableRect).box(
            title: "\(theme.delta) accuracy N=\(table.steps) \(theme.separator) \(progress) \(theme.separator) n: next N",
            theme: theme, focused: true, into: &grid)
        let info = pane("probe-info", infoRect).box(title: "Predicted vs measured", theme: theme, into: &grid)
        drawProbeTable(table, original: probe.original, region: region)
        drawProbeInfo(table, region: info)
    }

    private mutating func drawProbeTable(_ table: ProbeData.Table, original: [String: Double], region: Region) {
        let labelWidth = max(5, codeWidth + 1)
        let cellWidth = max(7, codeWidth + 1)
        let scale = max(1e-9, table.delta.joined().compactMap { $0.map(abs) }.max() ?? 1)
        let visibleColumns = max(0, (region.width - labelWidth) / cellWidth)
        let targetIndex = state.partnerLanguage.flatMap { table.targets.firstIndex(of: $0) } ?? 0
        let columnOffset = Self.scrollOffset(selected: targetIndex, count: table.targets.count, visible: visibleColumns)
        let columns = Array(table.targets.enumerated().dropFirst(columnOffset).prefix(visibleColumns))
        for (slot, (_, code)) in columns.enumerated() {
            region.write(DisplayWidth.pad(code, to: cellWidth - 1, alignRight: true), x: labelWidth + slot * cellWidth, y: 0,
                         style: code == state.partnerLanguage ? theme.selected : theme.dim, into: &grid)
        }
        // One row per transfer language, then the original accuracy (needs a spare row above it).
        let rows = Array(table.transfer.enumerated().prefix(max(0, region.height - 3)))
        for (row, code) in rows {
            let y = row + 1
            region.write(code, x: 0, y: y, style: code == state.selectedLanguage ? theme.selected : theme.dim, into: &grid)
            for (slot, (column, _)) in columns.enumerated() {
                let x = labelWidth + slot * cellWidth
                guard let value = table.delta[row][column] else {
                    region.write(DisplayWidth.pad(theme.ascii ? "." : "·", to: cellWidth - 1, alignRight: true), x: x, y: y,
                                 style: theme.dim, into: &grid)
                    continue
                }
                let complete = table.runsDone[row][column] >= table.runsPlanned
                let (_, ramp) = theme.rampCell(0.5 + value / scale / 2)
                region.write(DisplayWidth.pad(Self.signed(value), to: cellWidth - 1, alignRight: true), x: x, y: y,
                             style: complete ? ramp : theme.dim, into: &grid)
            }
        }
        let originalRow = rows.count + 2
        guard originalRow < region.height else { return }
        region.write("orig", x: 0, y: originalRow, style: theme.dim, into: &grid)
        for (slot, (_, code)) in columns.enumerated() {
            let text = original[code].map { formatFixed($0 * 100, decimals: 1) + "%" } ?? "n/a"
            region.write(DisplayWidth.pad(text, to: cellWidth - 1, alignRight: true), x: labelWidth + slot * cellWidth,
                         y: originalRow, style: theme.dim, into: &grid)
        }
    }

    /// "+0.53", "-1.20": accuracy points with a sign, two decimals (one from ±10 on).
    static func signed(_ value: Double) -> String {
        let text = formatFixed(abs(value), decimals: abs(value) >= 10 ? 1 : 2)
        return (value < 0 ? "-" : "+") + text
    }

    private mutating func drawProbeInfo(_ table: ProbeData.Table, region: Region) {
        let pLabel = state.metric.dependsOnP ? " p=\(formatP(state.p))" : ""
        var lines: [(String, Style)] = [
            ("predictor: \(state.metric.rawValue)\(pLabel)", theme.title),
            ("NDCG@3    " + formatOptional(table.ndcg, ascii: theme.ascii), .plain),
            ("Spearman  " + formatOptional(table.spearman, ascii: theme.ascii), .plain),
            ("over \(table.evaluatedTargets) of \(table.targets.count) targets", theme.dim),
            ("", .plain),
            ("\(table.transfer.count) transfer \(theme.times) \(table.targets.count) targets", theme.dim),
            ("\(table.runsPlanned) runs each, N=\(table.steps) steps", theme.dim),
        ]
        if table.finishedRuns < table.plannedRuns {
            lines.append(("dim: runs still missing", theme.dim))
        }
        for (y, (text, style)) in lines.prefix(region.height).enumerated() {
            region.write(text, x: 0, y: y, style: style, into: &grid)
        }
        if region.height >= 10 {
            region.write("m metric \(theme.dot) +/- p \(theme.dot) n next N", x: 0, y: region.height - 1, style: theme.dim,
                         into: &grid)
        }
    }
}
