import Foundation
import XSNSCompute
import XSNSSession
import XSNSTestSupport

/// A real session computed once per test run: the bundled demo model on three demo corpora,
/// a few sentences and two seeds, so every file the workbench reads exists as `xsns compute` writes it.
enum SmallSession {
    static let demoModel = Fixtures.repositoryRoot.appendingPathComponent("Sources/xsns/DemoModel")
    static let corpora = Fixtures.repositoryRoot.appendingPathComponent("Corpora")
    static let languages = ["de", "en", "fi"]
    static let seeds = [42, 16]

    static func options(sentences: Int = 16, seeds: [Int] = seeds) -> ComputeOptions {
        ComputeOptions(
            sentences: sentences, seeds: seeds, estimator: "xsns", batchSize: 4, maxLength: 64,
            maskProbability: 0.15, recordInputs: false, threads: 1)
    }

    static func request(_ session: URL, languages: [String] = languages, seeds: [Int] = seeds, sentences: Int = 16)
        -> ComputeRequest
    {
        ComputeRequest(
            session: session, modelSpec: demoModel.path, corpora: corpora, languages: languages,
            options: options(sentences: sentences, seeds: seeds))
    }

    private static let computed: Result<URL, any Error> = Result {
        let session = try Fixtures.temporaryDirectory("xsns-workbench").appendingPathComponent("small")
        _ = try ComputeJob(request(session)).run()
        return session
    }

    /// The shared session; tests must not change it (copy it first).
    static func folder() throws -> URL { try computed.get() }

    /// A private copy the test may add to.
    static func copy() throws -> URL {
        let copy = try Fixtures.temporaryDirectory("xsns-workbench").appendingPathComponent("copy")
        try FileManager.default.copyItem(at: folder(), to: copy)
        return copy
    }
}
