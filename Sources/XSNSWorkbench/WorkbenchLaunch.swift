import Foundation
import XSNSCompute
import XSNSEngine
import XSNSSession
import XSNSStorage

/// What `xsns [tui]` opens, decided from its options and what the session folder already holds:
/// - no `--model` and a new session: the bundled demo model on `./Corpora`, computing at once;
/// - `--model` (with `--corpora`, or the corpora the session recorded): compute those;
/// - only `--session` of an existing session: reopen it; the start key resumes missing runs.
public struct WorkbenchLaunch: Sendable {
    public var session: URL
    /// As the user gave it, for the status bar and the "resume with" hint.
    public var sessionName: String
    public var modelSpec: String
    public var modelName: String
    public var isDemo: Bool
    public var corpora: URL
    /// Languages to list and compute.
    public var languages: [String]
    public var options: ComputeOptions
    public var startAtOnce: Bool
    /// (language, seed) runs `s` computes at once, sharing the threads (`compute --jobs`).
    public var jobs = 1

    /// The demo keeps to a few hundred sentences so that it computes live within seconds.
    public static let demoOptions = ComputeOptions(
        sentences: 200, seeds: [42, 16, 10], estimator: "xsns", batchSize: 4, maxLength: 128,
        maskProbability: 0.15, recordInputs: false, threads: ThreadBudget.available)

    public struct Arguments: Sendable {
        public var session: String?
        public var model: String?
        public var corpora: String?
        public var languages: [String]?
        public var sentences: Int?
        public var seeds: [Int]?

        public init(session: String? = nil, model: String? = nil, corpora: String? = nil, languages: [String]? = nil,
                    sentences: Int? = nil, seeds: [Int]? = nil) {
            self.session = session
            self.model = model
            self.corpora = corpora
            self.languages = languages
            self.sentences = sentences
            self.seeds = seeds
        }
    }

    /// `demoModel` is the bundled checkpoint folder; `directory` is where `Sessions/` and `Corpora/` are.
    public static func resolve(_ arguments: Arguments, demoModel: URL?, directory: URL) throws -> WorkbenchLaunch {
        let name = arguments.session ?? "demo"
        let folder = try SessionStore.folder(forName: name, sessionsRoot: directory.appendingPathComponent("Sessions"))
        let store = SessionStore(folder: folder)
        let manifest = FileManager.default.fileExists(atPath: store.paths.manifest.path) ? try store.load() : nil
        for language in arguments.languages ?? [] { try SessionPaths.checkLanguage(language) }

        let recordedCorpora = manifest?.corpora.map { URL(fileURLWithPath: $0.directory) }
        let givenCorpora = arguments.corpora.map { URL(fileURLWithPath: $0, relativeTo: directory).standardizedFileURL }
        var launch: WorkbenchLaunch
        if let model = arguments.model {
            guard let corpora = givenCorpora ?? recordedCorpora else {
                throw InputError("--model needs --corpora DIR (a folder with one <lang>.txt per language)")
            }
            launch = WorkbenchLaunch(
                session: folder, sessionName: name, modelSpec: model, modelName: Self.displayName(model), isDemo: false,
                corpora: corpora, languages: [], options: manifest?.options ?? ComputeOptions.defaults,
                startAtOnce: true)
        } else if let recorded = manifest?.model {
            let isDemo = demoModel.map { Self.isDemo(recorded, demo: $0) } ?? false
            guard let corpora = givenCorpora ?? recordedCorpora else {
                throw InputError(file: store.paths.manifest.path, "the session records no corpora; pass --corpora DIR")
            }
            // The bundled demo moves with the build folder: use the current copy, same content.
            let spec = isDemo ? demoModel?.path ?? recorded.spec : recorded.spec
            launch = WorkbenchLaunch(
                session: folder, sessionName: name, modelSpec: spec,
                modelName: isDemo ? "demo" : Self.displayName(recorded.spec), isDemo: isDemo, corpora: corpora,
                languages: [], options: manifest?.options ?? ComputeOptions.defaults, startAtOnce: isDemo)
        } else {
            guard let demoModel else { throw RuntimeFailure("the bundled demo model is missing from this build") }
            let corpora = givenCorpora ?? directory.appendingPathComponent("Corpora")
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: corpora.path, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                throw InputError(file: corpora.path, "no demo corpora here: run xsns in the repository folder, "
                    + "or pass --model SPEC --corpora DIR")
            }
            launch = WorkbenchLaunch(
                session: folder, sessionName: name, modelSpec: demoModel.path, modelName: "demo", isDemo: true,
                corpora: corpora, languages: [], options: manifest?.options ?? demoOptions, startAtOnce: true)
        }
        if manifest?.options == nil {
            if let sentences = arguments.sentences { launch.options.sentences = sentences }
            if let seeds = arguments.seeds { launch.options.seeds = seeds }
        } else if let seeds = arguments.seeds {
            // More seeds may join a session; the Fisher settings may not change (the job refuses).
            launch.options.seeds += seeds.filter { !launch.options.seeds.contains($0) }
            if let sentences = arguments.sentences { launch.options.sentences = sentences }
        } else if let sentences = arguments.sentences {
            launch.options.sentences = sentences
        }
        try launch.options.validate()
        launch.languages = try Self.languages(arguments.languages, manifest: manifest, corpora: launch.corpora)
        return launch
    }

    /// `--langs`, else what the session already has, else every corpus file of the corpora.
    private static func languages(_ requested: [String]?, manifest: SessionManifest?, corpora: URL) throws -> [String] {
        let recorded = Set(manifest?.languages ?? []).union(manifest?.corpora?.files.keys.map { $0 } ?? [])
        if let requested { return recorded.union(requested).sorted() }
        if !recorded.isEmpty { return recorded.sorted() }
        return try Corpus.files(in: corpora, languages: nil).map(\.language)
    }

    /// Whether the recorded model is the bundled demo (same weights), wherever it was built.
    static func isDemo(_ recorded: ModelRecord, demo: URL) -> Bool {
        guard let weights = try? FileFingerprint.of(demo.appendingPathComponent("model.safetensors")) else { return false }
        return recorded.files.contains { $0.sha256 == weights.sha256 }
    }

    static func displayName(_ spec: String) -> String {
        spec.contains("/") && FileManager.default.fileExists(atPath: spec)
            ? URL(fileURLWithPath: spec).standardizedFileURL.lastPathComponent : spec
    }

    /// The status bar has room for a name, not a path: a session given as a path shows its folder name.
    public var displayName: String {
        sessionName.contains("/") ? session.lastPathComponent : sessionName
    }

    /// The request the compute controller runs for `languages`.
    public func request(languages: [String]) -> ComputeRequest {
        var request = ComputeRequest(session: session, modelSpec: modelSpec, corpora: corpora, languages: languages,
                                     options: options)
        request.jobs = jobs
        return request
    }
}
