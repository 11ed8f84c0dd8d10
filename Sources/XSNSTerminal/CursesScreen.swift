@preconcurrency import CNCursesW
import Glibc
import XSNSTUI

/// The curses side of the adapter: setup and teardown, colour pairs, and blitting a `CellGrid`.
/// Only the main thread may use it.
final class CursesScreen {
    private(set) var colors: Int = 0
    /// (foreground, background) → pair number; pairs are created on first use.
    private var pairs: [Int32: Int16] = [:]
    private var nextPair: Int16 = 1
    private var maxPairs: Int = 0
    private var colorEnabled = false

    struct NotATerminal: Error, CustomStringConvertible {
        let description: String
    }

    /// Sets up the terminal; throws when there is none or its type is unknown.
    init() throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw NotATerminal(description: "the workbench needs an interactive terminal (stdin and stdout)")
        }
        // The locale must be set before curses starts, or wide characters are mangled.
        setlocale(LC_ALL, "")
        guard newterm(nil, fdopen(STDOUT_FILENO, "w"), fdopen(STDIN_FILENO, "r")) != nil else {
            throw NotATerminal(description: "cannot open the terminal (TERM=\(getenv("TERM").map { String(cString: $0) } ?? "unset"))")
        }
        cbreak()
        noecho()
        nonl()
        keypad(stdscr, true)
        set_escdelay(25)
        // Keys are polled with a short timeout so engine events keep flowing while idle.
        wtimeout(stdscr, 50)
        curs_set(0)
        if has_colors() {
            start_color()
            use_default_colors()
            colors = Int(COLORS)
            maxPairs = Int(min(COLOR_PAIRS, Int32(Int16.max)))
            colorEnabled = true
        }
    }

    func restore() {
        curs_set(1)
        endwin()
    }

    var size: TerminalSize {
        TerminalSize(width: Int(getmaxx(stdscr)), height: Int(getmaxy(stdscr)))
    }

    /// Reads one input within the timeout; nil when nothing came.
    func read() -> Input? {
        var value: wint_t = 0
        let status = wget_wch(stdscr, &value)
        return KeyDecoder.decode(status: status, value: UInt32(value))
    }

    /// Forces the next refresh to repaint everything (Ctrl-L).
    func invalidate() {
        clearok(curscr, true)
    }

    /// Draws the grid: erase (not clear, which would flash), cell by cell, one doupdate.
    func draw(_ grid: CellGrid) {
        werase(stdscr)
        var cell = cchar_t()
        for y in 0..<grid.height {
            for x in 0..<grid.width {
                let source = grid[x, y]
                if source.isContinuation { continue }
                var characters = Array(source.character.unicodeScalars.prefix(Int(CCHARW_MAX)).map { wchar_t(bitPattern: $0.value) })
                characters.append(0)
                let pair = colorPair(source.style)
                setcchar(&cell, characters, attributes(source.style.attributes), pair, nil)
                // Writing the bottom-right cell returns ERR (the cursor cannot advance) but draws it.
                mvwadd_wch(stdscr, Int32(y), Int32(x), &cell)
            }
        }
        wnoutrefresh(stdscr)
        doupdate()
    }

    private func attributes(_ attributes: CellAttributes) -> attr_t {
        // The WA_* macros are function-like in curses.h; these are their values (NCURSES_BITS).
        let shift = 8
        var result: attr_t = 0
        if attributes.contains(.underline) { result |= attr_t(1) << (9 + shift) }
        if attributes.contains(.reverse) { result |= attr_t(1) << (10 + shift) }
        if attributes.contains(.dim) { result |= attr_t(1) << (12 + shift) }
        if attributes.contains(.bold) { result |= attr_t(1) << (13 + shift) }
        return result
    }

    private func colorPair(_ style: Style) -> Int16 {
        guard colorEnabled, style.foreground >= 0 || style.background >= 0 else { return 0 }
        let foreground = Int(style.foreground) < colors ? style.foreground : -1
        let background = Int(style.background) < colors ? style.background : -1
        let key = Int32(foreground) << 16 | Int32(UInt16(bitPattern: background))
        if let pair = pairs[key] { return pair }
        // Out of pairs: fall back to the default colours rather than fail.
        guard Int(nextPair) < maxPairs else { return 0 }
        let pair = nextPair
        init_pair(pair, foreground, background)
        pairs[key] = pair
        nextPair += 1
        return pair
    }
}
