import Foundation
import XSNSStorage
import XSNSTUI

/// `tui.json` in the session folder: where the user left the workbench (view, selection, p,
/// metric, order), so `xsns --session NAME` reopens exactly there. Written atomically.
public struct SavedView: Codable, Equatable, Sendable {
    public static let fileName = "tui.json"
    public static let currentVersion = 1

    public var version: Int
    public var view: String
    public var selected: String?
    public var partner: String?
    public var p: Double
    public var metric: String
    public var order: String
    /// Languages added with `:add` that have no result yet (the manifest lists them once computed).
    public var languages: [String]
    /// The gold file loaded with `:gold`, reloaded on reopening.
    public var gold: String?

    public init(state: WorkbenchState, languages: [String] = [], gold: String? = nil) {
        version = Self.currentVersion
        view = state.view.title.lowercased()
        selected = state.selectedLanguage
        partner = state.partnerLanguage
        p = state.p
        metric = state.metric.rawValue
        order = state.order.rawValue
        self.languages = languages
        self.gold = gold
    }

    public static func url(session: URL) -> URL { session.appendingPathComponent(fileName) }

    /// nil when there is no file yet; a file that is not ours is an `InputError` naming it.
    public static func load(session: URL) throws -> SavedView? {
        let url = url(session: session)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let saved: SavedView
        do { saved = try JSONDecoder().decode(SavedView.self, from: Data(contentsOf: url)) } catch {
            throw InputError(file: url.path, "not a workbench view file (delete it to start from the defaults)")
        }
        guard saved.version <= currentVersion else {
            throw InputError(file: url.path, "written by a newer xsns (version \(saved.version))")
        }
        return saved
    }

    public func write(session: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(self) + Data("\n".utf8), to: Self.url(session: session))
    }

    /// Applies the saved choices to a fresh state; values that no longer make sense are ignored.
    public func apply(to state: inout WorkbenchState) {
        if let kind = ViewKind.allCases.first(where: { $0.title.lowercased() == view }) { state.view = kind }
        if p.isFinite, p > 0, p < 1 { state.p = PRange.clamp(p) }
        if let chosen = Metric(rawValue: metric) { state.metric = chosen }
        if let chosen = LanguageOrder(rawValue: order) { state.order = chosen }
        let codes = state.data.languages.map(\.code)
        if let selected, codes.contains(selected) { state.selectedLanguage = selected }
        if let partner, codes.contains(partner) { state.partnerLanguage = partner }
    }
}
