import ArgumentParser
import Foundation
import XSNSTUI
import XSNSTerminal

/// `xsns tui`: a temporary preview of the terminal workbench on SYNTHETIC data (made-up
/// similarities and a simulated computation) so the terminal adapter can be tried by hand.
/// The integrator replaces the data source with the real engine and session.
struct TUIDemo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "Preview the workbench on synthetic data (no model is loaded).")

    @Option(help: "Session name shown in the status bar.")
    var session = "synthetic-preview"

    @Flag(help: "No colours (also when NO_COLOR is set).")
    var noColor = false

    @Flag(help: "ASCII characters only.")
    var ascii = false

    func run() throws {
        let events = EventQueue()
        let engine = SyntheticEngine(events: events)
        var state = WorkbenchState(
            sessionName: session, modelName: "none (synthetic)", isSyntheticData: true, data: engine.snapshot())
        state.message = "Synthetic preview: press ? for help; the simulated computation starts now."
        let noColorEnv = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        engine.handle(.startCompute)
        let result: (exit: TerminalApp.Exit, state: WorkbenchState)
        do {
            result = try TerminalApp.run(
                initialState: state, options: .init(noColor: noColor || noColorEnv, ascii: ascii), events: events,
                handleCommand: engine.handle)
        } catch {
            engine.stop()
            throw ValidationError("\(error)")
        }
        engine.stop()
        if case .signal(let number) = result.exit {
            // The conventional status of a process ended by a signal, after the one-line message.
            FileHandle.standardError.write(Data("xsns: stopped by signal \(number); terminal restored\n".utf8))
            Foundation.exit(128 + number)
        }
    }
}

/// Simulates the engine: 14 made-up languages in families, three seeds each, progress events
/// every 100 ms, and similarities generated from the families (never from a model).
final class SyntheticEngine: @unchecked Sendable {
    private struct Language {
        let code: String
        let name: String
        let family: Int
    }

    private static let languages: [Language] = [
        ("en", "English", 0), ("de", "Deutsch", 0), ("nl", "Nederlands", 0), ("sv", "svenska", 0),
        ("fi", "suomi", 1), ("et", "eesti", 1), ("hu", "magyar", 1), ("ru", "русский", 2), ("pl", "polski", 2),
        ("uk", "українська", 2), ("ja", "日本語", 3), ("zh", "中文", 3), ("ko", "한국어", 3), ("tr", "Türkçe", 4),
    ].map { Language(code: $0.0, name: $0.1, family: $0.2) }
    private static let seeds = [42, 16, 10]
    private static let sentences = 256
    private static let rate = 400.0
    private static let layers = 12
    private static let heads = 12

    private let events: EventQueue
    private let lock = NSLock()
    private var p = 0.15
    private var running = false
    private var stopped = false
    private var done: [String: Int] = [:]  // sentences done per "code/seed"
    private var finished: Set<String> = []
    private var thread: Thread?

    init(events: EventQueue) {
        self.events = events
    }

    func handle(_ command: Command) {
        switch command {
        case .startCompute:
            lock.withLock { running = true }
            events.post(.started)
            startThreadOnce()
        case .pauseCompute:
            lock.withLock { running = false }
            events.post(.paused)
        case .cancelCompute:
            lock.withLock {
                running = false
                done = [:]
                finished = []
            }
            events.post(.cancelled)
            events.post(.dataUpdated(snapshot()))
        case .setP(let value):
            lock.withLock { p = value }
            events.post(.dataUpdated(snapshot()))
        case .setMetric, .redraw, .quit:
            break
        case .loadGold, .addLanguage, .save, .export:
            events.post(.notice("synthetic preview: this command is wired up with the real session"))
        }
    }

    func stop() {
        lock.withLock { stopped = true }
    }

    private func startThreadOnce() {
        let shouldStart = lock.withLock { () -> Bool in
            guard thread == nil else { return false }
            thread = Thread { [weak self] in self?.loop() }
            return true
        }
        if shouldStart { lock.withLock { thread }?.start() }
    }

    private func loop() {
        while !lock.withLock({ stopped }) {
            Thread.sleep(forTimeInterval: 0.1)
            step(seconds: 0.1)
        }
    }

    /// Advances the first unfinished (language, seed) and reports it.
    private func step(seconds: Double) {
        var posts: [EngineEvent] = []
        lock.withLock {
            guard running else { return }
            guard let language = Self.languages.first(where: { !finished.contains($0.code) }) else {
                running = false
                posts.append(.finished)
                return
            }
            guard let seed = Self.seeds.first(where: { (done["\(language.code)/\($0)"] ?? 0) < Self.sentences }) else {
                return
            }
            let key = "\(language.code)/\(seed)"
            let now = min(Self.sentences, (done[key] ?? 0) + Int(Self.rate * seconds))
            done[key] = now
            let jitter = Double(now % 37) / 10
            posts.append(
                .progress(language: language.code, seed: seed, done: now, total: Self.sentences,
                          sentencesPerSecond: Self.rate + jitter))
            if now == Self.sentences && seed == Self.seeds.last {
                finished.insert(language.code)
                posts.append(.stability(language: language.code, value: 0.9 + 0.01 * Double(language.family)))
                posts.append(.languageFinished(language: language.code))
            }
        }
        for event in posts { events.post(event) }
        if posts.contains(where: { if case .languageFinished = $0 { return true } else { return false } }) {
            events.post(.dataUpdated(snapshot()))
        }
    }

    /// The current synthetic data: finished languages appear in the matrices.
    func snapshot() -> WorkbenchData {
        lock.withLock {
            let codes = Self.languages.map(\.code).filter(finished.contains)
            let chosen = Self.languages.filter { finished.contains($0.code) }
            var matrices: [Metric: SimilarityMatrix] = [:]
            let jaccard = chosen.map { a in chosen.map { b in Self.jaccard(a, b, p: p) } }
            matrices[.jaccard] = SimilarityMatrix(metric: .jaccard, p: p, languages: codes, values: jaccard, seeds: 3)
            // Equal-size masks: cosine = |A∩B|/|A| = 2J / (1 + J).
            matrices[.cosine] = SimilarityMatrix(
                metric: .cosine, p: p, languages: codes, values: jaccard.map { $0.map { 2 * $0 / (1 + $0) } }, seeds: 3)
            matrices[.lex] = SimilarityMatrix(
                metric: .lex, p: p, languages: codes,
                values: chosen.map { a in chosen.map { b in a.code == b.code ? 1 : 0.2 + 0.5 * Self.affinity(a, b) } })
            matrices[.emb] = SimilarityMatrix(
                metric: .emb, p: p, languages: codes,
                values: chosen.map { a in chosen.map { b in a.code == b.code ? 1 : 0.7 + 0.25 * Self.affinity(a, b) } },
                seeds: 3)
            var overlaps: [LanguagePair: PairOverlap] = [:]
            for a in chosen {
                for b in chosen where a.code < b.code {
                    let base = Self.jaccard(a, b, p: p)
                    overlaps[LanguagePair(a.code, b.code)] = PairOverlap(
                        perLayer: (0..<Self.layers).map { base + 0.25 * (1 - Double($0) / Double(Self.layers)) - 0.1 },
                        perComponent: ["query", "key", "value", "attn.out", "ffn.in", "ffn.out", "layernorm"]
                            .enumerated().map { ($0.element, min(1, base + 0.03 * Double($0.offset))) })
                }
            }
            var shares: [String: [Double]] = [:]
            var masks: [String: [[Bool]]] = [:]
            for language in chosen {
                shares[language.code] = (0..<Self.layers).map {
                    p * (0.6 + 0.8 * Double(($0 + language.family) % Self.layers) / Double(Self.layers))
                }
                masks[language.code] = (0..<Self.layers).map { layer in
                    (0..<Self.heads).map { head in Self.hash(layer * 31 + head * 7 + language.family * 13) % 3 != 0 }
                }
            }
            let counts = (0..<Self.layers).map { layer in
                (0..<Self.heads).map { head in masks.values.filter { $0[layer][head] }.count }
            }
            let infos = Self.languages.map { language -> LanguageInfo in
                let seeds = Self.seeds.compactMap { seed -> SeedProgress? in
                    guard let count = done["\(language.code)/\(seed)"] else { return nil }
                    return SeedProgress(seed: seed, sentencesDone: count, sentencesTotal: Self.sentences)
                }
                let status: LanguageInfo.Status = finished.contains(language.code) ? .done : seeds.isEmpty ? .pending : running ? .running : .paused
                return LanguageInfo(code: language.code, name: language.name, corpusSentences: 300 + 17 * language.name.count,
                                    status: status, seeds: seeds)
            }
            return WorkbenchData(
                languages: infos, matrices: matrices, pairOverlaps: overlaps, layerShares: shares, headCounts: counts,
                headMasks: masks)
        }
    }

    /// 1 for the same family, less for related ones, with a fixed per-pair wobble.
    private static func affinity(_ a: Language, _ b: Language) -> Double {
        let wobble = Double(hash(a.code.unicodeScalars.first.map { Int($0.value) } ?? 0
            + (b.code.unicodeScalars.first.map { Int($0.value) } ?? 0)) % 100) / 1000
        return (a.family == b.family ? 0.8 : 0.3 - 0.04 * Double(abs(a.family - b.family))) + wobble
    }

    private static func jaccard(_ a: Language, _ b: Language, p: Double) -> Double {
        a.code == b.code ? 1 : min(0.99, 0.15 + 0.45 * affinity(a, b) + 0.5 * p)
    }

    private static func hash(_ value: Int) -> Int {
        var x = UInt64(bitPattern: Int64(value)) &+ 0x9E37_79B9_7F4A_7C15
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: (x ^ (x >> 31)) >> 1)
    }
}
