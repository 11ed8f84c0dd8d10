import CNCursesW
// XSNSTerminal: the thin ncurses adapter that blits XSNSTUI's cell grid.
