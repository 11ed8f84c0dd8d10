/// A pane's drawing surface: a rectangle of the grid plus the owner id that layout tests use.
/// All coordinates given to its methods are relative to the rectangle's top-left corner and
/// everything is clipped to the rectangle.
public struct Region: Sendable {
    public let rect: Rect
    public let owner: Int

    public init(rect: Rect, owner: Int) {
        self.rect = rect
        self.owner = owner
    }

    public var width: Int { rect.width }
    public var height: Int { rect.height }

    /// Writes `text` starting at (x, y); returns the column after the last written grapheme.
    @discardableResult
    public func write(_ text: some StringProtocol, x: Int, y: Int, style: Style = .plain, into grid: inout CellGrid)
        -> Int
    {
        var column = x
        for character in text {
            let width = DisplayWidth.of(character)
            if width == 0 { continue }
            if column >= rect.width { break }
            grid.put(character, x: rect.x + column, y: rect.y + y, style: style, clip: rect, owner: owner)
            column += width
        }
        return column
    }

    /// Fills the whole region (or a sub-rectangle in region coordinates) with one grapheme.
    public func fill(_ character: Character = " ", style: Style = .plain, into grid: inout CellGrid) {
        for row in 0..<rect.height {
            for column in 0..<rect.width {
                grid.put(character, x: rect.x + column, y: rect.y + row, style: style, clip: rect, owner: owner)
            }
        }
    }

    /// A child region for a sub-rectangle given in this region's coordinates (clipped to it).
    public func sub(x: Int, y: Int, width: Int, height: Int) -> Region {
        Region(rect: Rect(x: rect.x + x, y: rect.y + y, width: width, height: height).intersection(rect), owner: owner)
    }

    /// Draws a border with a title and returns the interior.
    public func box(title: String, theme: Theme, focused: Bool = false, into grid: inout CellGrid) -> Region {
        guard rect.width >= 2, rect.height >= 2 else { return Region(rect: .empty, owner: owner) }
        let glyphs = theme.border
        let style = focused ? theme.accent : theme.frame
        let horizontal = String(repeating: glyphs.horizontal, count: rect.width - 2)
        write(String(glyphs.topLeft) + horizontal + String(glyphs.topRight), x: 0, y: 0, style: style, into: &grid)
        for row in 1..<(rect.height - 1) {
            write(String(glyphs.vertical), x: 0, y: row, style: style, into: &grid)
            write(String(glyphs.vertical), x: rect.width - 1, y: row, style: style, into: &grid)
        }
        write(
            String(glyphs.bottomLeft) + horizontal + String(glyphs.bottomRight), x: 0, y: rect.height - 1,
            style: style, into: &grid)
        if rect.width > 6 {
            let label = " " + DisplayWidth.truncate(title, to: rect.width - 6, ascii: theme.ascii) + " "
            write(label, x: 2, y: 0, style: focused ? theme.accent.adding(.bold) : theme.title, into: &grid)
        }
        return Region(rect: rect.inset(by: 1), owner: owner)
    }
}

extension Style {
    public func adding(_ extra: CellAttributes) -> Style {
        var copy = self
        copy.attributes.formUnion(extra)
        return copy
    }
}
