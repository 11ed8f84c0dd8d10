import Foundation
import XSNSAnalysis
import XSNSCompute
import XSNSSession
import XSNSStorage
import XSNSTUI

/// The app shell between the pure TUI and the engine: runs every `Command` the reducer emits,
/// keeps the computation going on its own thread, rebuilds the views' data on a serial queue and
/// posts the results back as `EngineEvent`s. Commands and observed states arrive on the main thread.
public final class WorkbenchShell: @unchecked Sendable {
    public let launch: WorkbenchLaunch
    public let builder: WorkbenchDataBuilder
    private let post: @Sendable (EngineEvent) -> Void
    private let analysis = DispatchQueue(label: "xsns.workbench.analysis", qos: .userInitiated)
    private let lock = NSLock()
    private var compute: ComputeController!
    private var sessionWatcher: SessionWatcher?
    /// Whether the last data showed runs queued or computed elsewhere (the watcher then polls the queue).
    private var runsElsewhere = false

    // What the next data build is for (read on the analysis queue, under the lock).
    private var planned: [String]
    private var p: Double
    private var metric: Metric
    private var pair: LanguagePair?
    private var gold: GoldScores?
    private var requested = 0
    private var lastProblems: [String] = []
    /// The last state the terminal loop showed; `save` writes it.
    private var shown: WorkbenchState?

    public init(launch: WorkbenchLaunch, post: @escaping @Sendable (EngineEvent) -> Void) {
        self.launch = launch
        self.post = post
        builder = WorkbenchDataBuilder(session: launch.session, corpora: launch.corpora)
        planned = launch.languages
        p = 0.15
        metric = .jaccard
        compute = ComputeController(
            request: { [unowned self] in launch.request(languages: lock.withLock { planned }) },
            post: post,
            runCompleted: { [unowned self] _, _ in refresh() })
        sessionWatcher = SessionWatcher(session: launch.session, polling: { [weak self] in
            self?.lock.withLock { self?.runsElsewhere ?? false } ?? false
        }) { [weak self] in self?.refresh() }
        // Opening a large session opens (or, the first time, builds) every mask index: say so instead of
        // an empty view.
        builder.onFisherProgress = { [post] done, total, building in
            guard total > 1 else { return }
            let verb = building ? "indexing Fisher files" : "reading indexes"
            post(done < total ? .working("\(verb) \(done)/\(total)…") : .notice("\(building ? "indexed" : "read") \(total) indexes"))
        }
        builder.onMaskProgress = { [post] done, total, p in
            guard total > 1 else { return }
            let atP = "at p=\(formatP(p))"
            post(.working(done < total ? "sub-networks \(atP) \(done)/\(total)…" : "sub-networks \(atP) of \(total) runs; pairwise similarities…"))
        }
    }

    /// The state to open with: the languages as the session records them, and the view, selection,
    /// p and metric the user left in `tui.json` (results follow as a `.dataUpdated`).
    public func initialState() throws -> WorkbenchState {
        let saved = try SavedView.load(session: launch.session)
        if let saved { planned = Array(Set(planned).union(saved.languages)).sorted() }
        var languages = SessionLanguages(store: SessionStore(folder: launch.session), corpora: launch.corpora)
        var state = WorkbenchState(
            sessionName: launch.displayName, modelName: launch.modelName, isDemoModel: launch.isDemo,
            data: WorkbenchData(languages: languages.infos(planned: planned, computing: [])))
        saved?.apply(to: &state)
        remember(state)
        if let gold = saved?.gold { loadGold(gold) }
        return state
    }

    /// Runs one command of the reducer.
    public func handle(_ command: Command) {
        switch command {
        case .startCompute: compute.start()
        case .pauseCompute: compute.pause()
        case .cancelCompute: compute.cancel()
        case .setP(let value):
            lock.withLock { p = value }
            refresh()
        case .setMetric(let chosen):
            lock.withLock { metric = chosen }
            refresh()
        case .loadGold(let path): loadGold(path)
        case .addLanguage(let code): addLanguage(code)
        case .save:
            do {
                try save()
                post(.notice("saved \(launch.session.path)"))
            } catch {
                post(.notice("cannot save: \(error)"))
            }
        case .export(let directory): export(to: directory)
        case .redraw: break
        case .quit: shutdown()
        }
    }

    /// Follows the terminal loop's state: the selected pair decides which per-layer overlap is built.
    public func observe(_ state: WorkbenchState) {
        let changed = lock.withLock { () -> Bool in
            shown = state
            let wanted = Self.pair(state)
            guard wanted != pair else { return false }
            pair = wanted
            return true
        }
        if changed { refresh() }
    }

    /// Stops the computation (it checkpoints first) and writes `tui.json`. Safe to call twice.
    public func shutdown(finalState: WorkbenchState? = nil) {
        compute.shutdown()
        sessionWatcher?.stop()
        if let finalState { lock.withLock { shown = finalState } }
        try? save()
    }

    /// Whether some planned (language, seed) has no Fisher file yet.
    public var hasMissingRuns: Bool {
        let paths = SessionPaths(folder: launch.session)
        let languages = lock.withLock { planned }
        return languages.contains { language in
            launch.options.seeds.contains { !FileManager.default.fileExists(atPath: paths.fisher(language: language, seed: $0).path) }
        }
    }

    /// Rebuilds the views' data in the background; requests that pile up while one build runs
    /// collapse into the newest (holding `+` does not queue a build per step).
    public func refresh() {
        let ticket = lock.withLock { () -> Int in
            requested += 1
            return requested
        }
        analysis.async { [self] in
            let wanted = lock.withLock { Wanted(ticket: requested, planned: planned, p: p, metric: metric, pair: pair, gold: gold) }
            guard wanted.ticket == ticket else { return }
            let running = compute.currentLanguages
            do {
                var data = try builder.build(
                    planned: wanted.planned, p: wanted.p, metric: wanted.metric, pair: wanted.pair, gold: wanted.gold,
                    computing: running)
                overlayLiveProgress(&data)
                let elsewhere = data.languages.contains { $0.status == .queued || $0.elsewhere != nil }
                lock.withLock { runsElsewhere = elsewhere }
                post(.dataUpdated(data))
            } catch {
                post(.notice("cannot analyse the session: \(error)"))
            }
            let problems = builder.problems
            if problems != lock.withLock({ lastProblems }), let first = problems.first {
                post(.notice(first + (problems.count > 1 ? " (and \(problems.count - 1) more)" : "")))
            }
            lock.withLock { lastProblems = problems }
        }
    }

    /// Waits until every data build asked for so far has been posted (tests, export).
    public func waitForData() {
        analysis.sync {}
    }

    // MARK: - Commands

    private func loadGold(_ path: String) {
        analysis.async { [self] in
            do {
                let scores = try GoldScores(contentsOf: URL(fileURLWithPath: Self.expand(path)))
                lock.withLock { gold = scores }
                post(.notice("gold scores loaded from \(scores.name)"))
                refresh()
            } catch {
                post(.notice("cannot load gold scores: \(error)"))
            }
        }
    }

    private func addLanguage(_ code: String) {
        guard SessionPaths.isValidLanguage(code) else {
            post(.notice("invalid language code '\(code)' (letters, digits, '-' and '_' only)"))
            return
        }
        guard (try? CorpusFiles.url(in: launch.corpora, language: code)) ?? nil != nil else {
            post(.notice("no corpus \(code).txt, .conllu, .jsonl or .tsv in \(launch.corpora.path) for '\(code)'"))
            return
        }
        let added = lock.withLock { () -> Bool in
            guard !planned.contains(code) else { return false }
            planned = (planned + [code]).sorted()
            return true
        }
        guard added else {
            post(.notice("\(code) is already in the session"))
            return
        }
        try? save()
        refresh()
        if compute.isRunning {
            // The running job has a fixed language list: it checkpoints and starts again with the new one.
            compute.restart()
            post(.notice("added \(code); computing it after the languages before it"))
        } else {
            post(.notice("added \(code); press s to compute it"))
        }
    }

    private func export(to directory: String) {
        let destination = URL(fileURLWithPath: Self.expand(directory))
        analysis.async { [self] in
            let wanted = lock.withLock { (p: p, gold: gold) }
            do {
                let export = try SessionExport(
                    catalog: FisherCatalog(session: launch.session), p: wanted.p,
                    gold: wanted.gold.map { (name: $0.name, table: $0.table) })
                try export.write(to: destination)
                post(.notice("exported \(export.files.count) files to \(destination.path)"))
            } catch {
                post(.notice("export failed: \(error)"))
            }
        }
    }

    private func save() throws {
        guard let state = lock.withLock({ shown }) else { return }
        let recorded = Set((try? SessionStore(folder: launch.session).load().languages) ?? [])
        let extra = lock.withLock { planned }.filter { !recorded.contains($0) && !launch.languages.contains($0) }
        try FileManager.default.createDirectory(at: launch.session, withIntermediateDirectories: true)
        try SavedView(state: state, languages: extra, gold: lock.withLock { gold?.path }).write(session: launch.session)
    }

    // MARK: - Helpers

    /// What one data build is for, read at once under the lock.
    private struct Wanted {
        let ticket: Int
        let planned: [String]
        let p: Double
        let metric: Metric
        let pair: LanguagePair?
        let gold: GoldScores?
    }

    private func remember(_ state: WorkbenchState) {
        lock.withLock {
            shown = state
            p = state.p
            metric = state.metric
            pair = Self.pair(state)
        }
    }

    private static func pair(_ state: WorkbenchState) -> LanguagePair? {
        guard let a = state.selectedLanguage, let b = state.partnerLanguage, a != b else { return nil }
        return LanguagePair(a, b)
    }

    /// The manifest is written at checkpoints and keeps each finished run's stability: the running
    /// job's own reports are fresher, so they win where there are any.
    private func overlayLiveProgress(_ data: inout WorkbenchData) {
        let live = compute.liveProgress
        let stability = compute.liveStability
        for index in data.languages.indices {
            if let live = stability[data.languages[index].code] { data.languages[index].stability = live }
            guard let seeds = live[data.languages[index].code] else { continue }
            var merged = data.languages[index].seeds
            for (seed, progress) in seeds {
                if let slot = merged.firstIndex(where: { $0.seed == seed }) {
                    if progress.sentencesDone >= merged[slot].sentencesDone { merged[slot] = progress }
                } else {
                    merged.append(progress)
                }
            }
            data.languages[index].seeds = merged
        }
    }

    private static func expand(_ path: String) -> String {
        path.hasPrefix("~/") ? NSString(string: path).expandingTildeInPath : path
    }
}
