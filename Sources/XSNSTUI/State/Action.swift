/// A key press, already decoded by the terminal adapter.
public enum Key: Sendable, Equatable {
    case character(Character)
    /// Ctrl + a letter (lower case), e.g. `.control("l")` for Ctrl-L.
    case control(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case tab, backTab
    case enter, escape, backspace
}

/// Everything that can change the workbench state.
public enum Action: Sendable, Equatable {
    case key(Key)
    case engine(EngineEvent)
}
