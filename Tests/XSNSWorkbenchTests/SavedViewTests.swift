import Foundation
import Testing
import XSNSStorage
import XSNSTUI
import XSNSTestSupport

@testable import XSNSWorkbench

@Suite struct SavedViewTests {
    static func state() -> WorkbenchState {
        let languages = ["de", "en", "fi"].map { LanguageInfo(code: $0, name: $0, corpusSentences: 10) }
        return WorkbenchState(sessionName: "s", modelName: "m", data: WorkbenchData(languages: languages))
    }

    @Test func roundTripsViewSelectionPMetricAndOrder() throws {
        let session = try Fixtures.temporaryDirectory()
        var left = Self.state()
        left.view = .layers
        left.p = 0.07
        left.metric = .emb
        left.order = .clustered
        left.selectedLanguage = "fi"
        left.partnerLanguage = "de"
        try SavedView(state: left, languages: ["nl"]).write(session: session)

        let saved = try #require(try SavedView.load(session: session))
        #expect(saved.languages == ["nl"])
        var reopened = Self.state()
        saved.apply(to: &reopened)
        #expect(reopened.view == .layers)
        #expect(reopened.p == 0.07)
        #expect(reopened.metric == .emb)
        #expect(reopened.order == .clustered)
        #expect(reopened.selectedLanguage == "fi")
        #expect(reopened.partnerLanguage == "de")
        // Nothing but the file itself is left behind (written through a temp name).
        #expect(try FileManager.default.contentsOfDirectory(atPath: session.path) == [SavedView.fileName])
    }

    @Test func valuesThatNoLongerFitAreIgnored() throws {
        let session = try Fixtures.temporaryDirectory()
        let text = #"{"version":1,"view":"nonsense","selected":"xx","partner":"en","p":1.5,"metric":"bleu","order":"alphabetical","languages":[]}"#
        try Data(text.utf8).write(to: SavedView.url(session: session))
        var state = Self.state()
        try #require(try SavedView.load(session: session)).apply(to: &state)
        #expect(state.view == .languages)
        #expect(state.p == 0.15)
        #expect(state.metric == .jaccard)
        #expect(state.selectedLanguage == "de")
        #expect(state.partnerLanguage == "en")
    }

    @Test(arguments: ["", "{", #"{"version":1}"#, #"{"version":99,"view":"heads","p":0.1,"metric":"jaccard","order":"alphabetical","languages":[]}"#])
    func aFileThatIsNotOursIsAnInputError(text: String) throws {
        let session = try Fixtures.temporaryDirectory()
        try Data(text.utf8).write(to: SavedView.url(session: session))
        #expect(throws: InputError.self) { try SavedView.load(session: session) }
    }

    @Test func noFileMeansDefaults() throws {
        #expect(try SavedView.load(session: Fixtures.temporaryDirectory()) == nil)
    }
}
