import Testing
import XSNSTUI

@Suite struct ThemeTests {
    @Test func choosesPaletteFromTerminalAndFlags() {
        #expect(Theme.choose(colors: 256, noColor: false, ascii: false) == Theme(palette: .xterm256))
        #expect(Theme.choose(colors: 8, noColor: false, ascii: false) == Theme(palette: .basic8))
        #expect(Theme.choose(colors: 256, noColor: true, ascii: false) == Theme(palette: .monochrome))
        #expect(Theme.choose(colors: 2, noColor: false, ascii: true) == Theme(palette: .monochrome, ascii: true))
    }

    /// The monochrome ramps are the documented shade strings, from the lowest value to the highest.
    @Test(arguments: [(false, " ░▒▓█"), (true, " .:-=+*#%@")])
    func monochromeRamps(ascii: Bool, ramp: String) {
        let theme = Theme(palette: .monochrome, ascii: ascii)
        #expect(theme.rampLevels == ramp.count)
        let glyphs = (0..<ramp.count).map { theme.rampCell((Double($0) + 0.5) / Double(ramp.count)).0 }
        #expect(String(glyphs) == ramp)
        #expect(theme.rampCell(-3).0 == ramp.first && theme.rampCell(7).0 == ramp.last)
        #expect(theme.rampCell(.nan).0 == ramp.first)
    }

    /// The 256-colour ramp is viridis sampled at ten points, each mapped to its nearest xterm
    /// colour (computed in Python from viridis' published sRGB anchors); its brightness rises.
    @Test func viridisRampIsOrderedByLuminance() {
        let theme = Theme(palette: .xterm256)
        let indices = (0..<theme.rampLevels).map { theme.rampCell((Double($0) + 0.5) / 10).1.foreground }
        #expect(indices.count == 10)
        let luminance = indices.map { index -> Double in
            let cube = Int(index) - 16
            let level = { (v: Int) in v == 0 ? 0.0 : Double(55 + 40 * v) }
            return 0.2126 * level(cube / 36) + 0.7152 * level(cube / 6 % 6) + 0.0722 * level(cube % 6)
        }
        #expect(zip(luminance, luminance.dropFirst()).allSatisfy { $0 <= $1 })
    }
}
