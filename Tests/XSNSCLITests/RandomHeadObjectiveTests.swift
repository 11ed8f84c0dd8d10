import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport

/// `compute --objective random-head`: the Fisher files say which objective made them, differ from the
/// masked-LM ones, and the same seed gives the same head for every language (reproducible); the objective
/// belongs to the session; bad combinations exit 2 with one line.
struct RandomHeadObjectiveTests {
    static let demo = Fixtures.repositoryRoot.appendingPathComponent("Sources/xsns/DemoModel").path
    static let corpora = Fixtures.repositoryRoot.appendingPathComponent("Corpora").path

    static func compute(_ session: URL, _ extra: [String]) throws -> CommandResult {
        try XSNSBinary.run(["compute", "--session", session.path, "--model", demo, "--corpora", corpora, "--langs", "de,fi",
                            "--sentences", "8", "--seeds", "1", "--threads", "1", "--no-emb"] + extra)
    }

    @Test func randomHeadFisherIsRecordedAndReproducible() throws {
        let folder = try Fixtures.temporaryDirectory()
        let head = ["--objective", "random-head", "--num-labels", "5"]
        let a = folder.appendingPathComponent("a"), b = folder.appendingPathComponent("b"), mlm = folder.appendingPathComponent("m")
        for (session, extra) in [(a, head), (b, head), (mlm, [])] {
            let result = try Self.compute(session, extra)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let file = "fisher/fi.seed1.safetensors"
        let fisher = try SafeTensorsFile(url: a.appendingPathComponent(file))
        #expect(fisher.metadata["objective"] == "random-head:token:5")
        #expect(try SafeTensorsFile(url: mlm.appendingPathComponent(file)).metadata["objective"] == "mlm")
        #expect(try Data(contentsOf: a.appendingPathComponent(file)) == Data(contentsOf: b.appendingPathComponent(file)))
        #expect(try Data(contentsOf: a.appendingPathComponent(file)) != Data(contentsOf: mlm.appendingPathComponent(file)))

        let other = try Self.compute(a, ["--langs", "ru"])
        #expect(other.status == 2 && other.stderr.contains("--objective"), "\(other.stderr)")
        let level = try Self.compute(a, head + ["--head-level", "sequence", "--langs", "ru"])
        #expect(level.status == 2 && level.stderr.contains("random-head:token:5"), "\(level.stderr)")
    }

    @Test(arguments: [
        (["--num-labels", "5"], "--objective random-head"),
        (["--objective", "random-head"], "--num-labels"),
        (["--objective", "random-head", "--num-labels", "5", "--head-level", "word"], "--head-level"),
        (["--objective", "cloze"], "--objective must be"),
    ])
    func badCombinationsExitTwo(_ extra: [String], mentions: String) throws {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        let result = try Self.compute(session, extra)
        #expect(result.status == 2 && result.stderr.contains(mentions) && result.stderr.split(separator: "\n").count == 1,
                "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: session.path), "bad input left a session behind")
    }
}
