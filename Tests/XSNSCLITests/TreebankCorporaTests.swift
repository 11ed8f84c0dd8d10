import Foundation
import Testing
import XSNSTestSupport

/// `--corpora` with a `<lang>.conllu` beside `<lang>.txt` files: computed like any corpus, recorded by
/// its own file in the session.
@Suite struct TreebankCorporaTests {
    @Test func computeReadsTreebankCorpora() throws {
        let root = Fixtures.repositoryRoot
        let corpora = try Fixtures.temporaryDirectory()
        try FileManager.default.copyItem(at: Fixtures.url("probe/tiny.conllu"), to: corpora.appendingPathComponent("xx.conllu"))
        try FileManager.default.copyItem(at: root.appendingPathComponent("Corpora/de.txt"),
                                         to: corpora.appendingPathComponent("de.txt"))
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        let computed = try XSNSBinary.run([
            "compute", "--session", session.path, "--model", root.appendingPathComponent("Sources/xsns/DemoModel").path,
            "--corpora", corpora.path, "--sentences", "8", "--seeds", "1", "--threads", "1",
        ])
        #expect(computed.status == 0, "\(computed.stderr)")
        let manifest = try String(contentsOf: session.appendingPathComponent("session.json"), encoding: .utf8)
        #expect(manifest.contains("\"xx.conllu\""))
        let matrix = try XSNSBinary.run(["matrix", "--session", session.path, "--format", "json"])
        #expect(matrix.status == 0 && matrix.stdout.contains("\"xx\""), "\(matrix.stderr)")
    }
}
