import Testing
import XSNSTUI

@Suite struct ReducerTests {
    /// Feeds keys one by one and collects every command.
    static func press(_ keys: [Key], from start: WorkbenchState) -> (WorkbenchState, [Command]) {
        keys.reduce((start, [Command]())) { accumulated, key in
            let (state, commands) = reduce(accumulated.0, .key(key))
            return (state, accumulated.1 + commands)
        }
    }

    static func type(_ text: String) -> [Key] { text.map { .character($0) } }

    @Test func tabDigitsAndBackTabSwitchViews() {
        var state = SampleWorkbench.state()
        state = Self.press([.tab], from: state).0
        #expect(state.view == .heatmap)
        state = Self.press([.character("5"), .tab], from: state).0
        #expect(state.view == .probe)
        state = Self.press([.tab], from: state).0
        #expect(state.view == .languages)
        state = Self.press([.backTab], from: state).0
        #expect(state.view == .probe)
        state = Self.press([.character("9")], from: state).0
        #expect(state.view == .probe)
    }

    @Test func arrowsAndVimKeysMoveTheSameWay() {
        let start = SampleWorkbench.state(view: .heatmap)  // fi × et
        let arrows = Self.press([.down, .down, .left, .up], from: start).0
        let vim = Self.press(Self.type("jjhk"), from: start).0
        #expect(arrows.selectedLanguage == "ja" && arrows.partnerLanguage == "es")
        #expect(vim == arrows)
        let ends = Self.press([.end, .right, .right], from: start).0
        #expect(ends.selectedLanguage == "zh" && ends.partnerLanguage == "ja")
        #expect(Self.press([.home], from: ends).0.selectedLanguage == "de")
    }

    @Test func plusAndMinusStepPAndAskForData() {
        let (up, upCommands) = Self.press(Self.type("++"), from: SampleWorkbench.state())
        #expect(up.p == 0.17)
        #expect(upCommands == [.setP(0.16), .setP(0.17)])
        let (down, _) = Self.press(Self.type("---"), from: up)
        #expect(down.p == 0.14)
    }

    @Test(arguments: [(0.5, 0.5), (1.0, 0.999), (7.0, 0.999), (0.0, 0.001), (-2.0, 0.001), (0.0005, 0.001)])
    func typedPIsClampedIntoTheOpenInterval(_ typed: Double, _ expected: Double) {
        let (state, commands) = Self.press(
            [.character(":")] + Self.type("p \(typed)") + [.enter], from: SampleWorkbench.state())
        #expect(state.p == expected)
        #expect(commands == [.setP(expected)])
        #expect(state.p > 0 && state.p < 1)
        #expect(state.messageIsError == (typed != expected))
    }

    @Test func pStaysInsideAtTheEdges() {
        var state = SampleWorkbench.state()
        state.p = 0.995
        let (high, commands) = Self.press(Self.type("+++"), from: state)
        #expect(high.p == 0.999 && commands == [.setP(0.999)])
        state.p = 0.004
        let (low, _) = Self.press(Self.type("--"), from: state)
        #expect(low.p == 0.001)
    }

    @Test func quitAsksWhileComputing() {
        let running = SampleWorkbench.state()
        let (asking, none) = Self.press([.character("q")], from: running)
        #expect(asking.input == .confirmQuit && none.isEmpty)
        let (_, yes) = Self.press([.character("y")], from: asking)
        #expect(yes == [.cancelCompute, .save, .quit])
        let (kept, no) = Self.press([.character("n")], from: asking)
        #expect(no.isEmpty && kept.input == .normal && kept.message != nil)
        var idle = running
        idle.compute = .idle
        #expect(Self.press([.character("q")], from: idle).1 == [.save, .quit])
        let (_, forced) = Self.press([.character(":")] + Self.type("quit!") + [.enter], from: running)
        #expect(forced == [.cancelCompute, .save, .quit])
    }

    @Test(arguments: [
        ("metric cosine", [Command.setMetric(.cosine)]),
        ("gold data/pos gold.csv", [.loadGold(path: "data/pos gold.csv")]),
        ("add sw", [.addLanguage(code: "sw")]),
        ("export /tmp/out", [.export(directory: "/tmp/out")]),
        ("save", [.save]),
        ("w", [.save]),
        ("p=0.2", [.setP(0.2)]),
        ("bogus", []),
        ("metric manhattan", []),
        ("p abc", []),
        ("gold", []),
    ])
    func commandLine(_ text: String, _ expected: [Command]) {
        let (state, commands) = Self.press([.character(":")] + Self.type(text) + [.enter], from: SampleWorkbench.state())
        #expect(commands == expected)
        #expect(state.input == .normal)
        #expect(state.messageIsError == expected.isEmpty)
    }

    @Test func commandLineEditing() {
        let start = SampleWorkbench.state()
        let typing = Self.press([.character(":")] + Self.type("metrix") + [.backspace], from: start).0
        #expect(typing.input == .command("metri"))
        #expect(Self.press([.escape], from: typing).0.input == .normal)
        let (state, commands) = Self.press(Self.type("c emb") + [.enter], from: typing)
        #expect(state.metric == .emb && commands == [.setMetric(.emb)])
    }

    @Test func metricKeyCyclesAndOrderToggles() {
        let (state, commands) = Self.press(Self.type("mmo"), from: SampleWorkbench.state())
        #expect(state.metric == .lex && commands == [.setMetric(.cosine), .setMetric(.lex)])
        #expect(state.order == .clustered)
        // Influence only joins the cycle when the session has it (sentence sketches).
        let withoutSketches = Self.press(Self.type("mmmm"), from: SampleWorkbench.state()).0
        #expect(withoutSketches.metric == .jaccard)
        var start = SampleWorkbench.state()
        start.data.matrices[.influencePlus] = start.data.matrices[.jaccard]
        let cycle = Self.press(Self.type("mmmm"), from: start)
        #expect(cycle.0.metric == .influencePlus, "influence+ follows emb; influence- (no data) is skipped")
        #expect(Self.press(Self.type("m"), from: cycle.0).0.metric == .jaccard)
    }

    @Test func filterNarrowsLanguagesAndKeepsSelectionVisible() {
        let start = SampleWorkbench.state()  // fi selected
        let filtered = Self.press([.character("/")] + Self.type("e"), from: start).0
        #expect(filtered.visibleLanguages == ["de", "en", "es", "et"])
        #expect(filtered.selectedLanguage == "de")
        // Names match too: "日本" finds ja.
        let byName = Self.press([.backspace] + Self.type("日本") + [.enter], from: filtered).0
        #expect(byName.visibleLanguages == ["ja"] && byName.input == .normal)
        let cleared = Self.press([.character("/"), .escape], from: byName).0
        #expect(cleared.filter.isEmpty && cleared.visibleLanguages.count == 8)
    }

    @Test func computeKeysDependOnStatus() {
        var state = SampleWorkbench.state()
        #expect(Self.press(Self.type("s"), from: state).1.isEmpty)
        #expect(Self.press(Self.type("p"), from: state).1 == [.pauseCompute])
        #expect(Self.press(Self.type("x"), from: state).1 == [.cancelCompute])
        state.compute = .paused
        #expect(Self.press(Self.type("s"), from: state).1 == [.startCompute])
        #expect(Self.press(Self.type("p"), from: state).1.isEmpty)
        state.compute = .idle
        #expect(Self.press(Self.type("sx"), from: state).1 == [.startCompute])
    }

    @Test func helpOverlayAndRedraw() {
        let help = Self.press([.character("?")], from: SampleWorkbench.state()).0
        #expect(help.showHelp)
        // The key that closes the overlay does nothing else.
        let closed = Self.press([.character("q")], from: help)
        #expect(!closed.0.showHelp && closed.1.isEmpty && closed.0.input == .normal)
        #expect(Self.press([.control("l")], from: closed.0).1 == [.redraw])
    }

    @Test func engineEventsUpdateProgressAndStatus() {
        var state = SampleWorkbench.state()
        state.compute = .idle
        func send(_ event: EngineEvent) { state = reduce(state, .engine(event)).0 }
        send(.progress(language: "ja", seed: 42, done: 10, total: 100, sentencesPerSecond: 5))
        #expect(state.compute == .running)
        #expect(state.data.language("ja")?.status == .running)
        #expect(state.data.language("ja")?.seeds == [SeedProgress(seed: 42, sentencesDone: 10, sentencesTotal: 100, sentencesPerSecond: 5)])
        #expect(state.data.language("ja")?.seeds.first?.etaSeconds == 18)
        send(.stability(language: "ja", value: 0.75))
        send(.paused)
        #expect(state.compute == .paused && state.data.language("ja")?.status == .paused)
        send(.started)
        send(.languageFinished(language: "ja"))
        #expect(state.data.language("ja")?.status == .done)
        #expect(state.data.language("ja")?.seeds.first?.sentencesDone == 100)
        #expect(state.data.language("ja")?.stability == 0.75)
        send(.failed(language: "zh", message: "unreadable corpus"))
        #expect(state.data.language("zh")?.status == .failed && state.messageIsError)
        send(.finished)
        #expect(state.compute == .finished)
        #expect(Self.press([.character("q")], from: state).1 == [.save, .quit])
    }

    @Test func freshDataKeepsProgressAndFixesSelection() {
        var state = SampleWorkbench.state()
        var fresh = SampleWorkbench.data
        fresh.languages = fresh.languages.filter { $0.code != "fi" }.map {
            var language = $0
            language.seeds = []
            return language
        }
        state = reduce(state, .engine(.dataUpdated(fresh))).0
        #expect(state.data.language("de")?.seeds.count == 1)
        #expect(state.selectedLanguage == "de" && state.partnerLanguage == "et")
        state = reduce(state, .engine(.notice("saved"))).0
        #expect(state.message == "saved" && !state.messageIsError)
    }

    /// "reading indexes 31/72…" announces data; once it is here the line goes. Notices stay, also one
    /// that replaced a progress line, and also one that ends in "…".
    @Test func progressLinesEndWhenTheirDataArrives() {
        var state = reduce(SampleWorkbench.state(), .engine(.working("reading indexes 31/72…"))).0
        #expect(state.message == "reading indexes 31/72…")
        state = reduce(state, .engine(.dataUpdated(SampleWorkbench.data))).0
        #expect(state.message == nil)
        for lasting in ["saved", "read 72 indexes", "exported to out/…"] {
            let kept = reduce(reduce(SampleWorkbench.state(), .engine(.notice(lasting))).0,
                              .engine(.dataUpdated(SampleWorkbench.data))).0
            #expect(kept.message == lasting)
            let replaced = reduce(reduce(state, .engine(.working("sub-networks 3/72…"))).0, .engine(.notice(lasting))).0
            #expect(reduce(replaced, .engine(.dataUpdated(SampleWorkbench.data))).0.message == lasting)
        }
    }

    @Test func staleMatrixIsFlaggedUntilNewDataArrives() {
        let (state, _) = Self.press(Self.type("+"), from: SampleWorkbench.state(view: .heatmap))
        #expect(state.matrixIsStale)
        let text = render(state, size: TerminalSize(width: 100, height: 30), theme: Theme(palette: .monochrome)).text()
        #expect(text.contains("recomputing at p=0.16"))
        var data = state.data
        data.matrices[.jaccard]?.p = 0.16
        #expect(!reduce(state, .engine(.dataUpdated(data))).0.matrixIsStale)
    }

    @Test func rankingUsesGoldRanks() {
        let state = SampleWorkbench.state(view: .ranking)
        guard let matrix = state.currentMatrix else {
            Issue.record("sample has a matrix")
            return
        }
        let entries = rankingEntries(matrix: matrix, target: "fi", among: state.visibleLanguages, gold: state.data.gold)
        #expect(entries.map(\.language) == ["et", "de", "ru", "en", "es", "ja", "zh"])
        #expect(entries.map(\.goldRank) == [1, 3, 4, 2, 5, 6, 7])
    }

    /// `n` steps through the probe's step counts, starting from the largest, and wraps around.
    @Test func nCyclesTheProbesStepCounts() {
        var state = SampleWorkbench.state(view: .probe)
        #expect(state.probeTable?.steps == 10)
        state = Self.press([.character("n")], from: state).0
        #expect(state.probeTable?.steps == 1)
        state = Self.press([.character("n")], from: state).0
        #expect(state.probeTable?.steps == 10)
        state.data.probe = nil
        state = Self.press([.character("n")], from: state).0
        #expect(state.probeTable == nil)
    }
}
