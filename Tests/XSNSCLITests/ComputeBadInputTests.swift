import Foundation
import Testing
import XSNSTestSupport

/// Bad input to `xsns compute`: one line on stderr naming the file and the problem, exit status 2,
/// and no session files left half-written.
@Suite struct ComputeBadInputTests {
    static let demoModel = Fixtures.repositoryRoot.appendingPathComponent("Sources/xsns/DemoModel")
    static let corpora = Fixtures.repositoryRoot.appendingPathComponent("Corpora")

    /// A copy of the demo model whose `file` is replaced by `contents`.
    static func brokenModel(_ file: String, _ contents: Data) throws -> URL {
        let folder = try Fixtures.temporaryDirectory().appendingPathComponent("model")
        try FileManager.default.copyItem(at: demoModel, to: folder)
        try contents.write(to: folder.appendingPathComponent(file))
        return folder
    }

    static func compute(model: URL = demoModel, corpora: URL = corpora, extra: [String] = []) throws -> (CommandResult, URL) {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        let result = try XSNSBinary.run(
            ["compute", "--session", session.path, "--model", model.path, "--corpora", corpora.path,
             "--langs", "en", "--sentences", "5", "--seeds", "1"] + extra)
        return (result, session)
    }

    static func expectOneLineExit2(_ result: CommandResult, mentioning: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 2, "\(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n").filter { !$0.hasPrefix("note:") }
        #expect(lines.count == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(mentioning), "\(result.stderr)", sourceLocation: sourceLocation)
    }

    @Test func truncatedWeights() throws {
        let bytes = try Data(contentsOf: Self.demoModel.appendingPathComponent("model.safetensors"))
        let model = try Self.brokenModel("model.safetensors", bytes.prefix(bytes.count / 2))
        let (result, session) = try Self.compute(model: model)
        Self.expectOneLineExit2(result, mentioning: "model.safetensors")
        #expect(!FileManager.default.fileExists(atPath: session.appendingPathComponent("fisher").path))
    }

    @Test func corruptTokenizer() throws {
        let model = try Self.brokenModel("tokenizer.json", Data("{\"model\": {\"type\": \"BPE\"".utf8))
        Self.expectOneLineExit2(try Self.compute(model: model).0, mentioning: "tokenizer.json")
    }

    @Test func unsupportedModelType() throws {
        var config = try String(contentsOf: Self.demoModel.appendingPathComponent("config.json"), encoding: .utf8)
        config = config.replacingOccurrences(of: "\"xlm-roberta\"", with: "\"gpt2\"")
        let model = try Self.brokenModel("config.json", Data(config.utf8))
        Self.expectOneLineExit2(try Self.compute(model: model).0, mentioning: "gpt2")
    }

    @Test func missingLanguageAndEmptyCorpus() throws {
        let corpora = try Fixtures.temporaryDirectory()
        try Data("\n\n".utf8).write(to: corpora.appendingPathComponent("en.txt"))
        Self.expectOneLineExit2(try Self.compute(corpora: corpora).0, mentioning: "en.txt")
        let (missing, _) = try Self.compute(extra: ["--langs", "xx"])
        Self.expectOneLineExit2(missing, mentioning: "xx.txt")
    }

    @Test(arguments: [["--mask-prob", "1.5"], ["--sentences", "0"], ["--seeds", "4,x"], ["--estimator", "adam"]])
    func badOptions(extra: [String]) throws {
        Self.expectOneLineExit2(try Self.compute(extra: extra).0, mentioning: extra[0])
    }
}
