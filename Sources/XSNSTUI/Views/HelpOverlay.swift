/// The `?` overlay: keys and commands, centred over whatever view is showing.
extension Renderer {
    static let keyHelp: [(String, String)] = [
        ("Tab S-Tab 1-6", "switch view"),
        ("arrows hjkl", "move (j/k language, h/l partner)"),
        ("PgUp PgDn Home End", "jump"),
        ("+ -", "p up / down by 0.01"),
        ("m", "next metric"),
        ("o", "alphabetical / clustered order"),
        ("n", "probe: next step count N"),
        ("s p x", "start/resume, pause, cancel compute"),
        ("/", "filter languages"),
        (":", "command line"),
        ("Ctrl-L", "redraw"),
        ("q", "quit (asks while computing)"),
    ]

    mutating func drawHelp() {
        let lines = Self.keyHelp + [("", "")] + CommandLineCommand.synopsis
        let keyWidth = lines.map { DisplayWidth.of($0.0) }.max() ?? 0
        let textWidth = lines.map { DisplayWidth.of($0.1) }.max() ?? 0
        let width = min(grid.width - 2, keyWidth + textWidth + 6)
        let height = min(grid.height - 2, lines.count + 3)
        let rect = Rect(x: (grid.width - width) / 2, y: (grid.height - height) / 2, width: width, height: height)
        let outer = pane("help", rect, overlay: true)
        outer.fill(into: &grid)
        let region = outer.box(title: "Help \(theme.separator) any key closes", theme: theme, focused: true, into: &grid)
        for (y, line) in lines.prefix(region.height).enumerated() {
            let x = region.write(" " + DisplayWidth.pad(line.0, to: keyWidth), x: 0, y: y, style: theme.accent, into: &grid)
            region.write("  " + line.1, x: x, y: y, into: &grid)
        }
    }
}
