import Foundation

/// One step of a running computation, as the CLI progress line and the TUI show it.
public struct ComputeProgress: Sendable, Equatable {
    public var language: String
    public var seed: Int
    public var sentencesDone: Int
    public var sentencesTotal: Int
    public var tokensDone: Int
    /// Seconds since this (language, seed) started or resumed.
    public var elapsed: TimeInterval
    /// Sentences already done when the run resumed from a checkpoint: they took no time now.
    public var resumedFrom: Int

    public init(
        language: String, seed: Int, sentencesDone: Int, sentencesTotal: Int, tokensDone: Int,
        elapsed: TimeInterval, resumedFrom: Int = 0
    ) {
        self.language = language
        self.seed = seed
        self.sentencesDone = sentencesDone
        self.sentencesTotal = sentencesTotal
        self.tokensDone = tokensDone
        self.elapsed = elapsed
        self.resumedFrom = resumedFrom
    }

    public var fraction: Double {
        sentencesTotal == 0 ? 1 : Double(sentencesDone) / Double(sentencesTotal)
    }

    public var sentencesPerSecond: Double? {
        let fresh = sentencesDone - resumedFrom
        return elapsed > 0 && fresh > 0 ? Double(fresh) / elapsed : nil
    }

    public var tokensPerSecond: Double? {
        elapsed > 0 && tokensDone > 0 ? Double(tokensDone) / elapsed : nil
    }

    /// Estimated seconds left at the rate of this run so far.
    public var secondsRemaining: Double? {
        sentencesPerSecond.map { Double(sentencesTotal - sentencesDone) / $0 }
    }
}

/// Everything the engine reports while `compute` runs.
public enum ComputeEvent: Sendable, Equatable {
    case started(language: String, seed: Int, sentences: Int, usedAllLines: Bool, resumedFrom: Int)
    case progress(ComputeProgress)
    /// Jaccard between the sub-network (at p = 0.15) after `sentences` sentences and after half as
    /// many: near 1 means more data no longer moves the sub-network.
    case stability(language: String, seed: Int, sentences: Int, value: Double)
    case finished(language: String, seed: Int, seconds: TimeInterval)
    case skipped(language: String, seed: Int, reason: String)
    case note(String)
}

public enum ProgressFormat {
    /// `1h02m`, `3m05s`, `42s`: durations as a person reads them at a glance.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--" }
        let total = Int(seconds.rounded())
        if total >= 3600 { return String(format: "%dh%02dm", total / 3600, (total % 3600) / 60) }
        if total >= 60 { return String(format: "%dm%02ds", total / 60, total % 60) }
        return "\(total)s"
    }

    /// The single progress line the CLI redraws in place on a terminal.
    public static func line(_ progress: ComputeProgress, width: Int = 80) -> String {
        let head = "\(progress.language) seed \(progress.seed)"
        let counts = "\(progress.sentencesDone)/\(progress.sentencesTotal)"
        let rate = progress.tokensPerSecond.map { String(format: "%.0f tok/s", $0) } ?? "… tok/s"
        let eta = "ETA " + (progress.secondsRemaining.map(duration) ?? "--")
        let tail = " \(counts) \(rate) \(eta)"
        let barWidth = max(0, min(30, width - head.count - tail.count - 3))
        let filled = Int((progress.fraction * Double(barWidth)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled)
        return barWidth > 0 ? "\(head) [\(bar)]\(tail)" : "\(head)\(tail)"
    }
}
