import Testing
import XSNSTUI

/// Renders every view at every width from the minimum to 300 (at heights 16, 24, 40 and 100) and
/// every height from the minimum to 100 (at widths 60, 80, 120 and 300) — not all pairs, which would
/// take minutes in a debug build — and checks the layout invariants.
@Suite struct LayoutTests {
    static let maxWidth = 300
    static let maxHeight = 100

    static var sizes: [TerminalSize] {
        var sizes: [TerminalSize] = []
        for height in [MinimumSize.height, 24, 40, maxHeight] {
            for width in MinimumSize.width...maxWidth { sizes.append(TerminalSize(width: width, height: height)) }
        }
        for width in [MinimumSize.width, 80, 120, maxWidth] {
            for height in MinimumSize.height...maxHeight { sizes.append(TerminalSize(width: width, height: height)) }
        }
        return sizes
    }

    /// Panes lie inside the screen, do not overlap (overlays excepted), and every cell was written
    /// by the pane whose rectangle holds it; wide characters never hang over the right edge.
    static func checkInvariants(_ state: WorkbenchState, size: TerminalSize, theme: Theme) -> [String] {
        let (grid, panes) = renderWithPanes(state, size: size, theme: theme)
        var problems: [String] = []
        let screen = Rect(x: 0, y: 0, width: size.width, height: size.height)
        if grid.width != size.width || grid.height != size.height { problems.append("grid size") }
        for pane in panes where !screen.contains(pane.rect) {
            problems.append("\(pane.name) \(pane.rect) outside the screen")
        }
        let tiled = panes.filter { !$0.isOverlay }
        for (i, a) in tiled.enumerated() {
            for b in tiled[(i + 1)...] where a.rect.intersects(b.rect) {
                problems.append("\(a.name) \(a.rect) overlaps \(b.name) \(b.rect)")
            }
        }
        for y in 0..<grid.height {
            for x in 0..<grid.width {
                let owner = grid.owners[y * grid.width + x]
                guard owner >= 0 else { continue }
                if owner >= panes.count || !panes[owner].rect.contains(x: x, y: y) {
                    problems.append("cell (\(x),\(y)) written outside its pane")
                }
            }
            if grid[grid.width - 1, y].isContinuation == false,
                DisplayWidth.of(grid[grid.width - 1, y].character) == 2
            {
                problems.append("wide character cut at the right edge of row \(y)")
            }
        }
        if theme.ascii, grid.text().unicodeScalars.contains(where: { !$0.isASCII }) {
            // Language names in their own scripts are data, not decoration: drop them first.
            let decoration = grid.text().unicodeScalars.filter { !$0.isASCII && !isLanguageNameScalar($0) }
            if !decoration.isEmpty { problems.append("non-ASCII decoration: \(String(String.UnicodeScalarView(decoration.prefix(5))))") }
        }
        return problems
    }

    static func isLanguageNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        SampleWorkbench.data.languages.contains { $0.name.unicodeScalars.contains(scalar) }
    }

    @Test(arguments: ViewKind.allCases)
    func everySize(_ view: ViewKind) {
        let state = SampleWorkbench.state(view: view)
        let theme = Theme(palette: .xterm256)
        var failures: [String] = []
        for size in Self.sizes {
            for problem in Self.checkInvariants(state, size: size, theme: theme).prefix(1) {
                failures.append("\(size.width)×\(size.height): \(problem)")
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
    }

    @Test func prunedHeadsAtEverySize() {
        let state = SampleWorkbench.prunedHeadsState()
        var failures: [String] = []
        for size in Self.sizes {
            for problem in Self.checkInvariants(state, size: size, theme: Theme(palette: .xterm256)).prefix(1) {
                failures.append("\(size.width)×\(size.height): \(problem)")
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10))")
    }

    /// Help overlay, filter, demo banner and the ASCII theme at a spread of sizes.
    @Test(arguments: [(60, 16), (61, 17), (80, 24), (99, 30), (120, 40), (300, 100)])
    func overlaysAndAscii(width: Int, height: Int) {
        var state = SampleWorkbench.state(view: .heatmap)
        state.showHelp = true
        state.isDemoModel = true
        state.isSyntheticData = true
        state.filter = "e"
        let size = TerminalSize(width: width, height: height)
        for view in ViewKind.allCases {
            state.view = view
            for theme in [Theme(palette: .monochrome, ascii: true), Theme(palette: .basic8)] {
                let problems = Self.checkInvariants(state, size: size, theme: theme)
                #expect(problems.isEmpty, "\(view) \(width)×\(height) \(theme.palette): \(problems.prefix(3))")
            }
        }
    }

    @Test(arguments: [(0, 0), (1, 1), (59, 16), (60, 15), (20, 100), (300, 3)])
    func tooSmallScreens(width: Int, height: Int) {
        let size = TerminalSize(width: width, height: height)
        let (grid, panes) = renderWithPanes(SampleWorkbench.state(), size: size, theme: Theme(palette: .xterm256))
        #expect(panes.map(\.name) == ["too-small"])
        #expect(Self.checkInvariants(SampleWorkbench.state(), size: size, theme: Theme(palette: .xterm256)).isEmpty)
        if width >= 20 && height >= 3 {
            #expect(grid.text().contains("terminal too small"))
        }
    }

    /// An empty workbench (fresh session, no data) renders every view without problems.
    @Test(arguments: ViewKind.allCases)
    func emptyWorkbench(_ view: ViewKind) {
        let state = WorkbenchState(sessionName: "new", modelName: "m", view: view)
        for size in [TerminalSize(width: 60, height: 16), TerminalSize(width: 200, height: 60)] {
            #expect(Self.checkInvariants(state, size: size, theme: Theme(palette: .xterm256)).isEmpty)
        }
    }
}
