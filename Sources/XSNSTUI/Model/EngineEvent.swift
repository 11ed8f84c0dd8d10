/// What the engine (on its background thread) reports; the app shell queues these and the
/// terminal loop feeds them to the reducer on the main thread.
public enum EngineEvent: Sendable, Equatable {
    /// The computation started or resumed.
    case started
    case paused
    case cancelled
    /// Progress of one (language, seed): sentences done out of total, at a rate in sentences/s.
    case progress(language: String, seed: Int, done: Int, total: Int, sentencesPerSecond: Double)
    /// A new value of a language's sub-network stability.
    case stability(language: String, value: Double)
    case languageFinished(language: String)
    /// A failure, for one language or (language nil) for the whole computation.
    case failed(language: String?, message: String)
    /// Every language is done.
    case finished
    /// Fresh analysis results (after new Fisher data, a p or metric change, gold, added language).
    case dataUpdated(WorkbenchData)
    /// A one-line message for the user (saved, exported, gold loaded, …).
    case notice(String)
    /// A progress line of work whose results the next `dataUpdated` brings ("reading indexes 31/72…"):
    /// shown like a notice, and gone once that data is here.
    case working(String)
}
