import Testing
import XSNSTUI

@Suite struct CellGridTests {
    static let everywhere = Rect(x: 0, y: 0, width: 1000, height: 1000)

    @Test func clipsToGridAndRegion() {
        var grid = CellGrid(width: 10, height: 3)
        let region = Region(rect: Rect(x: 2, y: 1, width: 4, height: 1), owner: 7)
        let end = region.write("abcdefgh", x: -1, y: 0, into: &grid)
        #expect(grid.text() == "\n  bcde\n\n")
        #expect(end == 4)
        region.write("zz", x: 0, y: 1, into: &grid)  // row outside the region
        region.write("zz", x: 0, y: -1, into: &grid)
        #expect(grid.text() == "\n  bcde\n\n")
        #expect(grid.owners.enumerated().filter { $0.element == 7 }.map(\.offset) == [12, 13, 14, 15])
    }

    @Test func wideCharactersTakeTwoColumns() {
        var grid = CellGrid(width: 8, height: 2)
        let region = Region(rect: grid.bounds, owner: 0)
        #expect(region.write("日本語", x: 0, y: 0, into: &grid) == 6)
        #expect(grid[1, 0].isContinuation && !grid[2, 0].isContinuation)
        // A wide grapheme that would straddle the edge becomes a blank.
        region.write("ab中", x: 5, y: 1, into: &grid)
        #expect(grid.text() == "日本語\n     ab\n")
        #expect(!grid[7, 1].isContinuation)
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var grid = CellGrid(width: 6, height: 1)
        let region = Region(rect: grid.bounds, owner: 0)
        region.write("中文", x: 0, y: 0, into: &grid)
        region.write("x", x: 1, y: 0, into: &grid)  // right half of 中
        #expect(grid.text() == " x文\n")
        region.write("y", x: 2, y: 0, into: &grid)  // left half of 文
        #expect(grid.text() == " xy\n")
        #expect(!grid.cells.contains { $0.isContinuation })
    }

    @Test(arguments: [
        ("a", 1), ("é", 1), ("日", 2), ("한", 2), ("Ａ", 2), ("\u{0301}", 0), ("\t", 0), ("ж", 1), ("😀", 2),
    ])
    func displayWidths(_ text: String, _ width: Int) {
        #expect(DisplayWidth.of(text) == width)
    }

    @Test func truncationAndPadding() {
        #expect(DisplayWidth.truncate("日本語テキスト", to: 5) == "日本…")
        #expect(DisplayWidth.truncate("abcdef", to: 4, ascii: true) == "abc~")
        #expect(DisplayWidth.pad("中", to: 4) == "中  ")
        #expect(DisplayWidth.pad("7", to: 3, alignRight: true) == "  7")
    }

    @Test func boxDrawsBorderAndReturnsInterior() {
        var grid = CellGrid(width: 12, height: 4)
        let inner = Region(rect: grid.bounds, owner: 0).box(title: "T", theme: Theme(palette: .monochrome, ascii: true),
                                                            into: &grid)
        #expect(inner.rect == Rect(x: 1, y: 1, width: 10, height: 2))
        #expect(grid.text() == "+- T ------+\n|          |\n|          |\n+----------+\n")
    }

    @Test func attributeLayer() {
        var grid = CellGrid(width: 4, height: 1)
        let region = Region(rect: grid.bounds, owner: 0)
        region.write("ab", x: 0, y: 0, style: Style(attributes: .reverse), into: &grid)
        region.write("c", x: 2, y: 0, style: Style(attributes: .dim), into: &grid)
        #expect(grid.attributeText() == "rrd\n")
    }
}
