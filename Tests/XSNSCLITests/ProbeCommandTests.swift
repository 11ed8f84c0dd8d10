import Foundation
import Testing
import XSNSTestSupport

/// `xsns probe-task`, `xsns probe` and `eval --gold probe` from outside: the loop predict → measure →
/// evaluate on one session, and bad input refused with one line (exit 2) before anything is written.
@Suite struct ProbeCommandTests {
    static let demo = Fixtures.repositoryRoot.appendingPathComponent("Sources/xsns/DemoModel").path
    static let corpora = Fixtures.repositoryRoot.appendingPathComponent("Corpora").path

    @Test func predictMeasureAndEvaluateInOneSession() throws {
        let treebanks = try Fixtures.probeTreebanks()
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        let computed = try XSNSBinary.run(["compute", "--session", session.path, "--model", Self.demo, "--corpora", Self.corpora,
                                           "--langs", "de,en,fi,ru", "--sentences", "8", "--seeds", "1", "--threads", "1"])
        #expect(computed.status == 0, "\(computed.stderr)")
        let task = try XSNSBinary.run(["probe-task", "--session", session.path, "--treebanks", treebanks.path,
                                       "--epochs", "1", "--batch-size", "4", "--threads", "1"])
        #expect(task.status == 0, "\(task.stderr)")
        #expect(task.stderr.contains("epoch 1: validation accuracy"), "\(task.stderr)")
        let probe = try XSNSBinary.run(["probe", "--session", session.path, "--corpora", Self.corpora,
                                        "--treebanks", treebanks.path, "--transfer", "en,fi,ru", "--targets", "de,en",
                                        "--steps", "2", "--runs", "1", "--threads", "1"])
        #expect(probe.status == 0, "\(probe.stderr)")
        #expect(probe.stdout.contains("transfer-N2.csv"), "\(probe.stdout)")
        let eval = try XSNSBinary.run(["eval", "--session", session.path, "--gold", "probe", "--format", "json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any]
        let targets = json?["targets"] as? [String: Any]
        #expect(Set(targets?.keys ?? [:].keys) == ["de", "en"], "\(eval.stdout)")
        let out = try Fixtures.temporaryDirectory().appendingPathComponent("export")
        let export = try XSNSBinary.run(["export", "--session", session.path, "--out", out.path, "--gold", "probe"])
        #expect(export.status == 0, "\(export.stderr)")
        for file in ["probe/transfer-N2.csv", "probe/original.csv", "figures/probe-N2.svg", "tables/probe-N2.tex",
                     "evaluation.csv"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file)")
        }
        let exported = try String(contentsOf: out.appendingPathComponent("probe/transfer-N2.csv"), encoding: .utf8)
        #expect(exported == (try String(contentsOf: session.appendingPathComponent("probe/transfer-N2.csv"), encoding: .utf8)))
        let noTest = try XSNSBinary.run(["probe", "--session", session.path, "--corpora", Self.corpora,
                                         "--treebanks", treebanks.path, "--transfer", "en", "--targets", "de,qq",
                                         "--steps", "2", "--runs", "1", "--threads", "1"])
        #expect(noTest.status == 2 && noTest.stderr.contains("no test treebank for 'qq'"), "\(noTest.stderr)")
        let missing = try XSNSBinary.run(["eval", "--session", session.path, "--gold", "probe:N5"])
        #expect(missing.status == 2 && missing.stderr.contains("probe:N2"), "\(missing.stderr)")
    }

    @Test func badInputExitsTwoAndWritesNothing() throws {
        let treebanks = try Fixtures.probeTreebanks()
        let broken = try Fixtures.temporaryDirectory()
        try FileManager.default.copyItem(at: Fixtures.url("probe/malformed/bad_id.conllu"),
                                         to: broken.appendingPathComponent("xx-bad-train.conllu"))
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        let cases: [([String], String)] = [
            (["probe-task", "--session", session.path, "--treebanks", treebanks.path], "pass --model"),
            (["probe-task", "--session", session.path, "--treebanks", broken.path, "--model", Self.demo],
             "xx-bad-train.conllu: line 18:"),
            (["probe-task", "--session", session.path, "--treebanks", treebanks.path, "--model", Self.demo, "--langs", "qq"],
             "no train or dev treebank for 'qq'"),
            (["probe", "--session", session.path, "--corpora", Self.corpora, "--treebanks", treebanks.path,
              "--transfer", "en", "--targets", "de"], "run xsns probe-task first"),
        ]
        for (arguments, message) in cases {
            let result = try XSNSBinary.run(arguments + ["--threads", "1"])
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(message), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: session.appendingPathComponent("probe").path), "\(arguments)")
        }
    }
}
