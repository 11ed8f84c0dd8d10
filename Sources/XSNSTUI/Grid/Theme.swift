/// How the workbench looks on a given terminal: palette (256, 8 or no colours) × glyph set
/// (Unicode blocks and box drawing, or pure ASCII for terminals and fonts that lack them).
/// The caller picks the theme (honouring NO_COLOR, `--no-color`, `--ascii` and the terminal's
/// colour count); everything below only asks the theme.
public struct Theme: Sendable, Equatable {
    public enum Palette: String, Sendable, Equatable {
        case xterm256, basic8, monochrome
    }

    public let palette: Palette
    public let ascii: Bool

    public init(palette: Palette, ascii: Bool = false) {
        self.palette = palette
        self.ascii = ascii
    }

    /// The theme for a terminal with `colors` colours, unless colour is switched off.
    public static func choose(colors: Int, noColor: Bool, ascii: Bool) -> Theme {
        if noColor || colors < 8 { return Theme(palette: .monochrome, ascii: ascii) }
        return Theme(palette: colors >= 256 ? .xterm256 : .basic8, ascii: ascii)
    }

    // MARK: Ramps

    /// A viridis-like ramp in xterm-256 indices (dark purple → blue → teal → green → yellow):
    /// perceptually ordered and readable for the common colour-vision deficiencies.
    static let viridis256: [Int16] = [53, 54, 60, 61, 30, 36, 72, 77, 148, 220]
    /// Eight-colour approximation ordered by brightness: blue, cyan, green, yellow, white.
    static let ramp8: [Int16] = [4, 6, 2, 3, 7]
    static let shades: [Character] = [" ", "░", "▒", "▓", "█"]
    static let asciiShades: [Character] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]

    /// Number of distinct levels the ramp can show.
    public var rampLevels: Int {
        switch palette {
        case .xterm256: return Self.viridis256.count
        case .basic8: return Self.ramp8.count
        case .monochrome: return ascii ? Self.asciiShades.count : Self.shades.count
        }
    }

    /// The level (0..<rampLevels) for `fraction` in [0, 1]; NaN maps to level 0.
    public func rampLevel(_ fraction: Double) -> Int {
        guard fraction.isFinite else { return 0 }
        let clamped = min(1, max(0, fraction))
        return min(rampLevels - 1, Int(clamped * Double(rampLevels)))
    }

    /// The glyph and style of one heatmap cell for `fraction` in [0, 1]. With colours the cell is
    /// a full block in the ramp colour (ASCII themes keep the density characters as well, so the
    /// map still reads when colours are lost in a copy-paste).
    public func rampCell(_ fraction: Double) -> (Character, Style) {
        let level = rampLevel(fraction)
        switch palette {
        case .xterm256:
            return (ascii ? densityGlyph(fraction) : "█", Style(foreground: Self.viridis256[level]))
        case .basic8:
            return (ascii ? densityGlyph(fraction) : "█", Style(foreground: Self.ramp8[level]))
        case .monochrome:
            return (ascii ? Self.asciiShades[level] : Self.shades[level], .plain)
        }
    }

    private func densityGlyph(_ fraction: Double) -> Character {
        let levels = Self.asciiShades.count
        let clamped = fraction.isFinite ? min(1, max(0, fraction)) : 0
        return Self.asciiShades[min(levels - 1, Int(clamped * Double(levels)))]
    }

    // MARK: Glyphs

    public struct BorderGlyphs: Sendable, Equatable {
        public let horizontal, vertical, topLeft, topRight, bottomLeft, bottomRight: Character
    }

    public var border: BorderGlyphs {
        ascii
            ? BorderGlyphs(
                horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+")
            : BorderGlyphs(
                horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘")
    }

    public var barFull: Character { ascii ? "#" : "█" }
    public var barEmpty: Character { ascii ? "." : "░" }
    /// Eighth blocks for smooth bar ends (index = eighths filled, 1...7).
    var barEighths: [Character] { ["▏", "▎", "▍", "▌", "▋", "▊", "▉"] }
    public var separator: String { ascii ? "|" : "│" }
    public var pointer: String { ascii ? ">" : "▶" }
    public var check: String { ascii ? "yes" : "✓" }
    public var cross: String { ascii ? "no" : "✗" }
    public var headOn: Character { ascii ? "#" : "■" }
    public var headOff: Character { ascii ? "." : "·" }
    public var ellipsis: String { ascii ? "~" : "…" }
    public var times: String { ascii ? "x" : "×" }
    public var dot: String { ascii ? "-" : "·" }
    public var delta: String { ascii ? "d" : "Δ" }

    // MARK: Styles

    private var coloured: Bool { palette != .monochrome }

    public var frame: Style { Style(attributes: .dim) }
    public var title: Style { Style(attributes: .bold) }
    public var accent: Style { coloured ? Style(foreground: 6, attributes: .bold) : Style(attributes: .bold) }
    public var selected: Style { Style(attributes: .reverse) }
    public var dim: Style { Style(attributes: .dim) }
    public var warning: Style {
        coloured ? Style(foreground: 0, background: 3, attributes: .bold) : Style(attributes: [.reverse, .bold])
    }
    public var error: Style { coloured ? Style(foreground: 1, attributes: .bold) : Style(attributes: .bold) }
    public var good: Style { coloured ? Style(foreground: 2) : .plain }
    public var bar: Style { coloured ? Style(foreground: palette == .xterm256 ? 36 : 6) : .plain }
    public var goldBar: Style { coloured ? Style(foreground: 3) : Style(attributes: .dim) }
    public var statusBar: Style { Style(attributes: .reverse) }
}
