/// Text attributes a cell can carry; the terminal adapter maps them to curses attributes.
public struct CellAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = CellAttributes(rawValue: 1 << 0)
    public static let reverse = CellAttributes(rawValue: 1 << 1)
    public static let dim = CellAttributes(rawValue: 1 << 2)
    public static let underline = CellAttributes(rawValue: 1 << 3)
}

/// Colours are terminal colour indices (0–255); -1 means the terminal's default colour.
public struct Style: Hashable, Sendable {
    public var foreground: Int16
    public var background: Int16
    public var attributes: CellAttributes

    public init(foreground: Int16 = -1, background: Int16 = -1, attributes: CellAttributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    public static let plain = Style()
}

/// One terminal column. A double-width grapheme occupies its own cell and the next one, which is
/// marked as a continuation so the adapter skips it and the text dump does not print it twice.
public struct Cell: Hashable, Sendable {
    public var character: Character
    public var style: Style
    public var isContinuation: Bool

    public init(_ character: Character = " ", style: Style = .plain, isContinuation: Bool = false) {
        self.character = character
        self.style = style
        self.isContinuation = isContinuation
    }
}

/// The in-memory screen every view renders into: width × height cells, nothing exists outside.
/// Every write is clipped to a `Region`; the grid also remembers which region wrote each cell,
/// so layout tests can check that no pane paints outside its own rectangle.
public struct CellGrid: Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]
    /// Region owner id of the last write to each cell, -1 where nothing was written.
    public private(set) var owners: [Int]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(), count: self.width * self.height)
        owners = Array(repeating: -1, count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "cell outside the grid")
        return cells[y * width + x]
    }

    /// Writes one grapheme at absolute (x, y) if it fits inside `clip` and the grid; returns the
    /// number of columns it took (0 when it was clipped away). A wide grapheme that would straddle
    /// the clip edge becomes a blank, as terminals do at the right margin.
    @discardableResult
    public mutating func put(_ character: Character, x: Int, y: Int, style: Style, clip: Rect, owner: Int)
        -> Int
    {
        let columns = DisplayWidth.of(character)
        guard columns > 0 else { return 0 }
        let area = clip.intersection(bounds)
        guard area.contains(x: x, y: y) else { return 0 }
        if columns == 2 && !area.contains(x: x + 1, y: y) {
            setCell(Cell(" ", style: style), x: x, y: y, owner: owner)
            return 1
        }
        setCell(Cell(character, style: style), x: x, y: y, owner: owner)
        if columns == 2 {
            setCell(Cell(" ", style: style, isContinuation: true), x: x + 1, y: y, owner: owner)
        }
        return columns
    }

    /// Replaces a cell, first breaking up any wide grapheme it would cut in half.
    private mutating func setCell(_ cell: Cell, x: Int, y: Int, owner: Int) {
        let index = y * width + x
        if cells[index].isContinuation, x > 0 {
            cells[index - 1] = Cell(" ", style: cells[index - 1].style)
        }
        if !cell.isContinuation, x + 1 < width, cells[index + 1].isContinuation {
            cells[index + 1] = Cell(" ", style: cells[index + 1].style)
        }
        cells[index] = cell
        owners[index] = owner
    }

    /// The characters row by row (continuation cells omitted, trailing blanks trimmed), for snapshots.
    public func text() -> String {
        var lines: [String] = []
        for y in 0..<height {
            var line = ""
            for x in 0..<width where !cells[y * width + x].isContinuation {
                line.append(cells[y * width + x].character)
            }
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A compact second layer for snapshots: one letter per column for the attributes
    /// (b bold, r reverse, d dim, u underline, combinations by the first set letter; '.' none)
    /// so that highlighting can be reviewed without colours.
    public func attributeText() -> String {
        var lines: [String] = []
        for y in 0..<height {
            var line = ""
            for x in 0..<width {
                let attributes = cells[y * width + x].style.attributes
                if attributes.contains(.reverse) {
                    line.append("r")
                } else if attributes.contains(.bold) {
                    line.append("b")
                } else if attributes.contains(.dim) {
                    line.append("d")
                } else if attributes.contains(.underline) {
                    line.append("u")
                } else {
                    line.append(".")
                }
            }
            while line.last == "." { line.removeLast() }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
