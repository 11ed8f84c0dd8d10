import Foundation
import Testing
import XSNSTestSupport

/// `xsns train-mlm` from outside: a run writes its folder and says so; bad input exits 2 with one line
/// naming the problem and creates nothing.
@Suite struct TrainMLMCommandTests {
    static let demo = Fixtures.repositoryRoot.appendingPathComponent("Sources/xsns/DemoModel").path
    static let corpora = Fixtures.repositoryRoot.appendingPathComponent("Corpora").path

    @Test func trainsAndWritesTheFolder() throws {
        let out = try Fixtures.temporaryDirectory().appendingPathComponent("trained")
        let result = try XSNSBinary.run(["train-mlm", "--model", Self.demo, "--corpora", Self.corpora, "--langs", "en,de",
                                         "--steps", "3", "--batch-size", "2", "--out", out.path, "--threads", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("trained 3 steps"))
        for file in ["config.json", "model.safetensors", "tokenizer.json", "train_log.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file)")
        }
    }

    @Test(arguments: [
        (["--langs", "xx"], "xx"),
        (["--langs", "en", "--steps", "0"], "--steps"),
        (["--langs", "en", "--train", "heads"], "--train"),
        (["--langs", "en", "--mask-prob", "1.5"], "--mask-prob"),
    ])
    func badInputExitsTwoWithOneLine(arguments: [String], mentions: String) throws {
        let out = try Fixtures.temporaryDirectory().appendingPathComponent("trained")
        var base = ["train-mlm", "--model", Self.demo, "--corpora", Self.corpora, "--out", out.path, "--threads", "1"]
        if !arguments.contains("--steps") { base += ["--steps", "2"] }
        let result = try XSNSBinary.run(base + arguments)
        #expect(result.status == 2, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && result.stderr.contains(mentions), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "bad input left \(out.path) behind")
    }
}
