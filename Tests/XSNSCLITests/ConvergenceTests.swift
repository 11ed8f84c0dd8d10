import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport

/// `compute --convergence` keeps each run's Fisher after 8, 16, … sentences: the one after 16 equals, value
/// for value, the Fisher of a run of 16 sentences (the samples are prefixes of each other); `converge`
/// reports the Jaccard of each count's masks with the final ones, 1 for the final row.
@Suite struct ConvergenceTests {
    @Test func pointsAreTheFisherOfShorterRuns() throws {
        let root = Fixtures.repositoryRoot
        let folder = try Fixtures.temporaryDirectory()
        func compute(_ name: String, sentences: Int, _ extra: [String] = []) throws -> URL {
            let session = folder.appendingPathComponent(name)
            let result = try XSNSBinary.run([
                "compute", "--session", session.path, "--model", root.appendingPathComponent("Sources/xsns/DemoModel").path,
                "--corpora", root.appendingPathComponent("Corpora").path, "--langs", "de,fi,ru", "--sentences", "\(sentences)",
                "--seeds", "1", "--threads", "1",
            ] + extra)
            #expect(result.status == 0, "\(result.stderr)")
            return session
        }
        let long = try compute("long", sentences: 32, ["--convergence"])
        let short = try compute("short", sentences: 16)
        for language in ["de", "fi", "ru"] {
            let point = try SafeTensorsFile(url: long.appendingPathComponent("convergence/n16/\(language).seed1.safetensors"))
            let fisher = try SafeTensorsFile(url: short.appendingPathComponent("fisher/\(language).seed1.safetensors"))
            #expect(point.tensors.map(\.name) == fisher.tensors.map(\.name))
            for tensor in fisher.tensors {
                #expect(try point.floats(tensor.name) == fisher.floats(tensor.name), "\(language) \(tensor.name)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: long.appendingPathComponent("convergence/n32").path))

        let gold = folder.appendingPathComponent("gold.csv")
        try "source,target,score\nde,fi,0.6\nru,fi,0.5\nfi,de,0.7\nru,de,0.6\nde,ru,0.6\nfi,ru,0.5\n"
            .write(to: gold, atomically: false, encoding: .utf8)
        let report = try XSNSBinary.run(["converge", "--session", long.path, "--gold", gold.path, "--format", "json"])
        #expect(report.status == 0, "\(report.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [[String: Any]])
        #expect(rows.map { "\($0["sentences"]!)" } == ["8", "16", "final"])
        let jaccards = rows.compactMap { $0["jaccard_to_final"] as? Double }
        #expect(jaccards.count == 3 && jaccards[2] == 1 && jaccards[0] < 1 && jaccards[1] < 1)
        #expect(rows.allSatisfy { $0["runs"] as? Int == 3 && $0["ndcg"] is Double })
        let none = try XSNSBinary.run(["converge", "--session", short.path])
        #expect(none.status == 2 && none.stderr.contains("--convergence"), "\(none.stderr)")
    }
}
