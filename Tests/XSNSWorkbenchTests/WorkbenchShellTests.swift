import Foundation
import Testing
import XSNSSession
import XSNSTUI
import XSNSTestSupport

@testable import XSNSWorkbench

/// The shell as the terminal loop drives it: commands in, events out.
@Suite struct WorkbenchShellTests {
    static func launch(_ session: URL, languages: [String] = ["en", "fi"]) throws -> WorkbenchLaunch {
        try WorkbenchLaunch.resolve(
            .init(session: session.path, model: SmallSession.demoModel.path, corpora: SmallSession.corpora.path,
                  languages: languages, sentences: 16, seeds: [42]),
            demoModel: SmallSession.demoModel, directory: Fixtures.temporaryDirectory())
    }

    @Test func computesThenAnswersPAndMetricChangesFromTheCache() throws {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        let log = EventLog()
        let shell = WorkbenchShell(launch: try Self.launch(session), post: log.post)
        let state = try shell.initialState()
        #expect(state.data.languages.map(\.code) == ["en", "fi"])
        #expect(shell.hasMissingRuns)
        shell.observe(state)
        shell.handle(.startCompute)
        let finished = try #require(log.wait { $0.isFinished })
        #expect(!shell.hasMissingRuns)
        shell.refresh()
        shell.waitForData()
        let computed = try #require(log.all.compactMap(\.data).last)
        #expect(computed.matrices[.jaccard]?.languages == ["en", "fi"])
        let loads = shell.builder.fisherLoads

        shell.handle(.setP(0.3))
        shell.handle(.setMetric(.cosine))
        shell.waitForData()
        let fresh = try #require(log.all[finished.index...].compactMap(\.data).last)
        #expect(fresh.matrices[.jaccard]?.p == 0.3)
        #expect(fresh.pairOverlaps[LanguagePair("en", "fi")] != nil)
        #expect(shell.builder.fisherLoads == loads)
        shell.shutdown(finalState: state)
    }

    @Test func quittingSavesTheViewForTheNextOpening() throws {
        let session = try SmallSession.copy()
        let log = EventLog()
        let shell = WorkbenchShell(launch: try Self.launch(session, languages: []), post: log.post)
        var state = try shell.initialState()
        state.view = .heads
        state.selectedLanguage = "fi"
        state.metric = .lex
        shell.observe(state)
        let gold = try Fixtures.temporaryDirectory().appendingPathComponent("gold.csv")
        try Data("source,target,score\nen,de,1\nfi,de,2\n".utf8).write(to: gold)
        shell.handle(.loadGold(path: gold.path))
        shell.waitForData()
        shell.handle(.quit)

        let reopenedLog = EventLog()
        let again = WorkbenchShell(launch: try Self.launch(session, languages: []), post: reopenedLog.post)
        let reopened = try again.initialState()
        #expect(reopened.view == .heads)
        #expect(reopened.selectedLanguage == "fi")
        #expect(reopened.metric == .lex)
        again.waitForData()
        again.waitForData()
        // The gold file comes back too (loaded, then the data rebuilt: two trips through the queue).
        #expect(reopenedLog.all.compactMap(\.data).last?.gold?.scores["de"] == ["en": 1, "fi": 2])
    }

    @Test func addLanguageListsItAndRemembersIt() throws {
        let session = try SmallSession.copy()
        let log = EventLog()
        let shell = WorkbenchShell(launch: try Self.launch(session, languages: []), post: log.post)
        shell.observe(try shell.initialState())
        shell.handle(.addLanguage(code: "nl"))
        shell.handle(.addLanguage(code: "xx"))
        shell.waitForData()
        #expect(log.all.compactMap(\.data).last?.language("nl")?.status == .pending)
        #expect(log.all.compactMap(\.notice).contains { $0.contains("no corpus") && $0.contains("xx.txt") })
        shell.handle(.save)
        let reopened = try WorkbenchShell(launch: Self.launch(session, languages: []), post: EventLog().post).initialState()
        #expect(reopened.data.languages.map(\.code) == ["de", "en", "fi", "nl"])
    }

    @Test func exportWritesTheAnalysisFolder() throws {
        let session = try SmallSession.folder()
        let log = EventLog()
        let shell = WorkbenchShell(launch: try Self.launch(session, languages: []), post: log.post)
        shell.observe(try shell.initialState())
        let destination = try Fixtures.temporaryDirectory().appendingPathComponent("export")
        shell.handle(.export(directory: destination.path))
        shell.waitForData()
        #expect(log.all.compactMap(\.notice).contains { $0.hasPrefix("exported") })
        #expect(FileManager.default.fileExists(atPath: destination.appendingPathComponent("report.md").path))
        #expect(FileManager.default.fileExists(atPath: destination.appendingPathComponent("matrices/jaccard.csv").path))
    }

    @Test func aBadGoldFileIsReportedNotFatal() throws {
        let session = try SmallSession.folder()
        let log = EventLog()
        let shell = WorkbenchShell(launch: try Self.launch(session, languages: []), post: log.post)
        shell.handle(.loadGold(path: "/no/such/gold.csv"))
        shell.waitForData()
        #expect(log.all.compactMap(\.notice).contains { $0.hasPrefix("cannot load gold scores") && $0.contains("/no/such/gold.csv") })
    }
}
