/// Terminal size in cells.
public struct TerminalSize: Hashable, Sendable {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }
}

/// A named rectangle of the screen that one part of the renderer owns.
public struct Pane: Equatable, Sendable {
    public let name: String
    public let rect: Rect
    /// Overlays (help) are drawn over other panes on purpose.
    public let isOverlay: Bool
}

/// Below this size the workbench shows only a "terminal too small" notice.
public enum MinimumSize {
    public static let width = 60
    public static let height = 16
}

/// The pure renderer: state → cells. No terminal, no I/O.
public func render(_ state: WorkbenchState, size: TerminalSize, theme: Theme) -> CellGrid {
    renderWithPanes(state, size: size, theme: theme).grid
}

/// The renderer plus the panes it laid out (for layout tests).
public func renderWithPanes(_ state: WorkbenchState, size: TerminalSize, theme: Theme) -> (grid: CellGrid, panes: [Pane]) {
    var renderer = Renderer(state: state, theme: theme, size: size)
    renderer.drawScreen()
    return (renderer.grid, renderer.panes)
}

/// Drawing context shared by the views: the state, the theme, the grid and the panes so far.
struct Renderer {
    let state: WorkbenchState
    let theme: Theme
    /// Visible languages in display order, computed once per frame (clustering is not free).
    let languages: [String]
    var grid: CellGrid
    var panes: [Pane] = []

    init(state: WorkbenchState, theme: Theme, size: TerminalSize) {
        self.state = state
        self.theme = theme
        languages = state.visibleLanguages
        grid = CellGrid(width: size.width, height: size.height)
    }

    /// Registers a pane and returns its drawing region.
    mutating func pane(_ name: String, _ rect: Rect, overlay: Bool = false) -> Region {
        let clipped = rect.intersection(grid.bounds)
        panes.append(Pane(name: name, rect: clipped, isOverlay: overlay))
        return Region(rect: clipped, owner: panes.count - 1)
    }

    mutating func drawScreen() {
        let width = grid.width
        let height = grid.height
        guard width >= MinimumSize.width, height >= MinimumSize.height else {
            drawTooSmall()
            return
        }
        drawTabs(pane("tabs", Rect(x: 0, y: 0, width: width, height: 1)))
        var top = 1
        if let banner = bannerText {
            let region = pane("banner", Rect(x: 0, y: 1, width: width, height: 1))
            region.fill(style: theme.warning, into: &grid)
            region.write(" " + DisplayWidth.truncate(banner, to: width - 2, ascii: theme.ascii), x: 0, y: 0,
                         style: theme.warning, into: &grid)
            top = 2
        }
        let content = Rect(x: 0, y: top, width: width, height: height - 2 - top)
        switch state.view {
        case .languages: drawLanguages(in: content)
        case .heatmap: drawHeatmap(in: content)
        case .ranking: drawRanking(in: content)
        case .layers: drawLayers(in: content)
        case .heads: drawHeads(in: content)
        case .probe: drawProbe(in: content)
        }
        drawInputLine(pane("message", Rect(x: 0, y: height - 2, width: width, height: 1)))
        drawStatusBar(pane("status", Rect(x: 0, y: height - 1, width: width, height: 1)))
        if state.showHelp { drawHelp() }
    }

    private var bannerText: String? {
        var parts: [String] = []
        if state.isSyntheticData {
            parts.append("SYNTHETIC DATA: made-up languages and values (interface preview)")
        }
        if state.isDemoModel {
            parts.append("DEMO MODEL: tiny, trained on demo sentences only. Real model: --model SPEC")
        }
        return parts.isEmpty ? nil : parts.joined(separator: " \(theme.dot) ")
    }

    private mutating func drawTooSmall() {
        let region = pane("too-small", grid.bounds)
        let lines = [
            "terminal too small",
            "(need \(MinimumSize.width)\(theme.times)\(MinimumSize.height),",
            "have \(grid.width)\(theme.times)\(grid.height))",
            "q quits",
        ]
        let top = max(0, (grid.height - lines.count) / 2)
        for (offset, line) in lines.enumerated() {
            let x = max(0, (grid.width - DisplayWidth.of(line)) / 2)
            region.write(line, x: x, y: top + offset, style: offset == 0 ? theme.title : .plain, into: &grid)
        }
    }

    private mutating func drawTabs(_ region: Region) {
        // Padded tabs with a gap between them; on narrow screens (60 columns) tight ones, so all six fit.
        let padded = ViewKind.allCases.reduce(0) { $0 + DisplayWidth.of($1.title) + 5 } <= region.width
        var x = 0
        for view in ViewKind.allCases {
            let label = padded ? " \(view.rawValue) \(view.title) " : " \(view.rawValue) \(view.title)"
            let style = view == state.view ? theme.selected.adding(.bold) : theme.dim
            x = region.write(label, x: x, y: 0, style: style, into: &grid) + (padded ? 1 : 0)
        }
        let name = "X-SNS Workbench "
        let nameWidth = DisplayWidth.of(name)
        if region.width - x >= nameWidth {
            region.write(name, x: region.width - nameWidth, y: 0, style: theme.title, into: &grid)
        }
    }

    private mutating func drawInputLine(_ region: Region) {
        switch state.input {
        case .command(let text):
            region.write(":" + text + "_", x: 0, y: 0, into: &grid)
        case .filter:
            region.write("/" + state.filter + "_", x: 0, y: 0, into: &grid)
            region.write("  Enter keeps \(theme.dot) Esc clears", x: DisplayWidth.of(state.filter) + 2, y: 0,
                         style: theme.dim, into: &grid)
        case .confirmQuit:
            region.fill(style: theme.warning, into: &grid)
            region.write(" A computation is running. Quit anyway? It is saved and resumes later. (y/n)",
                         x: 0, y: 0, style: theme.warning, into: &grid)
        case .normal:
            if let message = state.message {
                region.write(message, x: 0, y: 0, style: state.messageIsError ? theme.error : .plain, into: &grid)
            } else if !state.filter.isEmpty {
                region.write("filter /\(state.filter): \(languages.count) of \(state.data.languages.count) languages",
                             x: 0, y: 0, style: theme.dim, into: &grid)
            }
        }
    }

    private mutating func drawStatusBar(_ region: Region) {
        region.fill(style: theme.statusBar, into: &grid)
        let hints = region.width >= 100 ? " ?:help  Tab:view  :command  q:quit " : " ?:help  q:quit "
        let hintsWidth = DisplayWidth.of(hints)
        let room = region.width - hintsWidth - 1
        let left = statusVariants.first { DisplayWidth.of($0) <= room }
            ?? DisplayWidth.truncate(statusVariants.last ?? "", to: room, ascii: theme.ascii)
        region.write(left, x: 0, y: 0, style: theme.statusBar, into: &grid)
        region.write(hints, x: region.width - hintsWidth, y: 0, style: theme.statusBar.adding(.bold), into: &grid)
    }

    /// The status fields from most to least verbose; the first that fits is shown, so p and the
    /// metric survive on narrow terminals while labels and the progress summary give way.
    private var statusVariants: [String] {
        let sep = " \(theme.separator) "
        let model = state.modelName + (state.isDemoModel ? " (demo)" : "")
        let shortModel = DisplayWidth.truncate(model, to: 12, ascii: theme.ascii)
        let settings = "p=\(formatP(state.p))\(sep)\(state.metric.rawValue)"
        let progress = state.compute == .idle ? "" : sep + computeSummary
        return [
            " session \(state.sessionName)\(sep)model \(model)\(sep)\(settings)\(progress)",
            " \(state.sessionName)\(sep)\(model)\(sep)\(settings)\(progress)",
            " \(state.sessionName)\(sep)\(shortModel)\(sep)\(settings)\(progress)",
            " \(state.sessionName)\(sep)\(shortModel)\(sep)\(settings)",
        ]
    }

    private var computeSummary: String {
        let done = state.data.languages.filter { $0.status == .done }.count
        return "\(state.compute.rawValue) \(done)/\(state.data.languages.count)"
    }

    // MARK: Shared helpers

    /// First index to show so that `selected` stays visible in a window of `visible` rows,
    /// keeping the selection near the middle once the list scrolls.
    static func scrollOffset(selected: Int, count: Int, visible: Int) -> Int {
        guard visible > 0, count > visible else { return 0 }
        return min(max(0, selected - visible / 2), count - visible)
    }

    /// A horizontal bar of `fraction` (0…1) over `width` columns, with eighth-block ends in Unicode.
    func bar(_ fraction: Double, width: Int) -> (filled: String, empty: String) {
        guard width > 0 else { return ("", "") }
        let clamped = fraction.isFinite ? min(1, max(0, fraction)) : 0
        let eighths = Int((clamped * Double(width * 8)).rounded())
        var filled = String(repeating: theme.barFull, count: eighths / 8)
        if !theme.ascii, eighths % 8 > 0 {
            filled.append(theme.barEighths[eighths % 8 - 1])
        }
        let used = DisplayWidth.of(filled)
        return (filled, String(repeating: theme.ascii ? theme.barEmpty : " ", count: max(0, width - used)))
    }

    func displayName(_ code: String) -> String {
        state.data.language(code)?.name ?? code
    }

    /// Columns needed for the longest visible language code (at least 2).
    var codeWidth: Int {
        min(8, max(2, languages.map { DisplayWidth.of($0) }.max() ?? 2))
    }

    mutating func drawEmpty(_ region: Region, _ lines: [String]) {
        for (row, line) in lines.enumerated() {
            region.write(line, x: 1, y: row, style: row == 0 ? .plain : theme.dim, into: &grid)
        }
    }
}
