/// What the reducer asks the app shell to do; the shell runs it (possibly on the engine thread)
/// and reports back through `EngineEvent`s.
public enum Command: Sendable, Equatable {
    case startCompute
    case pauseCompute
    case cancelCompute
    /// Recompute the views' data at a new p (never recomputes Fisher information).
    case setP(Double)
    case setMetric(Metric)
    case loadGold(path: String)
    case addLanguage(code: String)
    case save
    case export(directory: String)
    /// Force a full repaint (the terminal adapter handles this one itself).
    case redraw
    case quit
}
