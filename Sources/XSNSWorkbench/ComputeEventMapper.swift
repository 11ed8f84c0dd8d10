import XSNSCompute
import XSNSTUI

/// Translates the engine's per-(language, seed) reports into the TUI's events, and notices when
/// a language has every seed done. Used from the compute thread only.
struct ComputeEventMapper {
    let seeds: [Int]
    private var finished: [String: Set<Int>] = [:]

    init(seeds: [Int]) {
        self.seeds = seeds
    }

    /// The events to post, and the (language, seed) whose results just became available.
    mutating func map(_ event: ComputeEvent) -> (events: [EngineEvent], completed: (language: String, seed: Int)?) {
        switch event {
        case .started(let language, let seed, let sentences, _, let resumedFrom):
            return ([.progress(language: language, seed: seed, done: resumedFrom, total: sentences, sentencesPerSecond: 0)],
                    nil)
        case .progress(let progress):
            return ([.progress(
                language: progress.language, seed: progress.seed, done: progress.sentencesDone,
                total: progress.sentencesTotal, sentencesPerSecond: progress.sentencesPerSecond ?? 0)], nil)
        case .stability(let language, _, _, let value):
            // Seeds run one after another: the newest measurement is the one to show.
            return ([.stability(language: language, value: value)], nil)
        case .finished(let language, let seed, _):
            return (complete(language, seed), (language, seed))
        case .skipped(let language, let seed, let reason):
            // A run already in the session counts as done; one held by another process does not.
            guard reason == "already computed" else {
                return ([.notice("\(language) seed \(seed): \(reason)")], nil)
            }
            return (complete(language, seed), nil)
        case .note(let text):
            return ([.notice(text)], nil)
        }
    }

    private mutating func complete(_ language: String, _ seed: Int) -> [EngineEvent] {
        finished[language, default: []].insert(seed)
        return seeds.allSatisfy({ finished[language]?.contains($0) == true }) ? [.languageFinished(language: language)] : []
    }
}
