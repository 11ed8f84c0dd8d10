/// Terminal column width of a grapheme, agreeing with glibc's `wcwidth` for what the workbench
/// shows: CJK ideographs, kana, Hangul and full-width forms take two columns, controls none.
public enum DisplayWidth {
    public static func of(_ character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        let value = scalar.value
        // Fast path for what fills most of the screen: printable ASCII, box drawing, blocks.
        if (value >= 0x20 && value < 0x7F) || (value >= 0x2500 && value < 0x2600) { return 1 }
        if value < 0x20 || (value >= 0x7F && value < 0xA0) { return 0 }
        // A lone combining mark has no column of its own.
        if character.unicodeScalars.count == 1, scalar.properties.generalCategory == .nonspacingMark {
            return 0
        }
        return wideRanges.contains { $0.contains(value) } ? 2 : 1
    }

    public static func of(_ text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + of($1) }
    }

    /// East Asian Wide and Fullwidth blocks (Unicode 15), plus the emoji pictographs.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
        0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19,
        0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF,
        0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    /// `text` cut to at most `columns` columns, with "…" (or "~" when `ascii`) when it was cut.
    public static func truncate(_ text: String, to columns: Int, ascii: Bool = false) -> String {
        guard columns > 0 else { return "" }
        if of(text) <= columns { return text }
        var result = ""
        var used = 0
        for character in text {
            let width = of(character)
            if used + width > columns - 1 { break }
            result.append(character)
            used += width
        }
        return result + (ascii ? "~" : "…")
    }

    /// `text` padded with spaces (or truncated) to exactly `columns` columns.
    public static func pad(_ text: String, to columns: Int, alignRight: Bool = false) -> String {
        let cut = truncate(text, to: columns)
        let fill = String(repeating: " ", count: max(0, columns - of(cut)))
        return alignRight ? fill + cut : cut + fill
    }
}
