import Foundation
import Testing
import XSNSTestSupport

@testable import XSNSAnalysis

/// The analysis commands end to end, through the built `xsns` binary (skipped when it was not built).
struct CommandLineTests {
    static func run(_ arguments: [String], in directory: URL) throws -> CommandResult? {
        guard FileManager.default.isExecutableFile(atPath: XSNSBinary.url.path) else {
            print("skipped: no built xsns binary beside the tests")
            return nil
        }
        return try XSNSBinary.run(arguments, in: directory)
    }

    static func workspace() throws -> URL {
        let session = try SessionTests.makeSession()
        let root = try Fixtures.temporaryDirectory("xsns-cli")
        let sessions = root.appendingPathComponent("Sessions")
        try FileManager.default.createDirectory(at: sessions, withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: session, to: sessions.appendingPathComponent("toy"))
        try Data("source,target,score\nfi,et,0.9\nen,et,0.5\net,fi,0.8\nen,fi,x\n".utf8)
            .write(to: root.appendingPathComponent("bad.csv"))
        return root
    }

    @Test func matrixJSONMatchesNumpyThroughTheBinary() throws {
        let root = try Self.workspace()
        guard let result = try Self.run(["matrix", "--session", "toy", "--p", "0.2", "--metric", "cosine", "--format", "json"], in: root)
        else { return }
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let reference: CollectionTests.Matrices = try AnalysisFixtures.json("views.json")
        let languages = try #require(json?["languages"] as? [String])
        let rows = try #require(json?["matrix"] as? [[Double]])
        for (i, a) in languages.enumerated() {
            for (j, b) in languages.enumerated() {
                let expected = reference.matrices["cosine"]![reference.languages.firstIndex(of: a)!][reference.languages.firstIndex(of: b)!]
                #expect(close(rows[i][j], expected, tolerance: 1e-12))
            }
        }
    }

    @Test(arguments: [
        (["rank", "--session", "toy", "--target", "xx"], "unknown language 'xx'"),
        (["layers", "--session", "toy", "--pair", "en,zz"], "unknown language 'zz'"),
        (["matrix", "--session", "toy", "--p", "1.5"], "--p must lie strictly between 0 and 1"),
        (["matrix", "--session", "missing"], "no such session folder"),
        (["eval", "--session", "toy", "--gold", "bad.csv"], "bad.csv: line 5: score 'x' is not a number"),
        (["eval", "--scores", "nope.csv", "--gold", "bad.csv"], "bad.csv: line 5"),
    ])
    func badInputIsOneLineAndExitTwo(arguments: [String], message: String) throws {
        let root = try Self.workspace()
        guard let result = try Self.run(arguments, in: root) else { return }
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func exportLeavesOnlyTheFinishedFolder() throws {
        let root = try Self.workspace()
        guard let result = try Self.run(["export", "--session", "toy", "--out", "paper", "--p", "0.2"], in: root) else { return }
        #expect(result.status == 0, "\(result.stderr)")
        let entries = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        #expect(entries == ["Sessions", "bad.csv", "paper"])
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("paper/report.md").path))
    }
}
