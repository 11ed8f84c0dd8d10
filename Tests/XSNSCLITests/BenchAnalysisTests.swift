import Foundation
import Testing
import XSNSSession
import XSNSTestSupport
import XSNSWorkbench

/// `xsns bench --analysis` on a tiny shape: every step runs as its own process and reports, and the
/// simulated session is one the workbench opens (runs recorded as done, one corpus per language).
@Suite(.serialized) struct BenchAnalysisTests {
    @Test func analysisBenchTimesEveryStepOnASessionTheWorkbenchOpens() throws {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("bench")
        let result = try XSNSBinary.run(["bench", "--analysis", "--shape", "tiny", "--languages", "3", "--seeds", "2",
                                         "--session", session.path, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let steps = try #require(report["steps"] as? [[String: Any]])
        #expect(steps.count == 8, "\(steps.map { $0["step"] ?? "" })")
        let pairFiles = try FileManager.default.contentsOfDirectory(atPath: session.appendingPathComponent("index").path)
            .filter { $0.hasSuffix(".pairs") }
        #expect(pairFiles.count == 6, "the pair counts compute would have written: \(pairFiles)")
        #expect(steps.allSatisfy { ($0["seconds"] as? Double ?? -1) >= 0 })
        #expect(["portable", "popcnt", "avx2", "avx512-vpopcntdq"].contains(report["bit_kernels"] as? String ?? ""), "\(report)")

        let manifest = try SessionStore.open(folder: session).load()
        #expect(manifest.runs.count == 6 && manifest.runs.allSatisfy { $0.status == .done })
        let corpora = session.appendingPathComponent("corpora")
        let builder = WorkbenchDataBuilder(session: session, corpora: corpora)
        let data = try builder.build(planned: manifest.languages, p: 0.15, metric: .jaccard, pair: nil, gold: nil)
        #expect(data.languages.map(\.status) == [.done, .done, .done])
        #expect(data.matrices[.jaccard]?.seeds == 2 && data.matrices[.jaccard]?.languages == ["l00", "l01", "l02"])
    }

    /// `bench --compute` runs the real pipeline for every --compute-seeds seed and splits the time by stage.
    @Test func computeBenchRunsEverySeedAndReportsTheStages() throws {
        let root = Fixtures.repositoryRoot
        let result = try XSNSBinary.run([
            "bench", "--compute", "--model", root.appendingPathComponent("Sources/xsns/DemoModel").path,
            "--corpora", root.appendingPathComponent("Corpora").path, "--langs", "fi,de", "--compute-sentences", "6",
            "--compute-seeds", "1,2", "--threads", "1",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        for row in ["runs                        4", "sentences                   24", "fisher seconds", "publish seconds", "wall over engine"] {
            #expect(result.stdout.contains(row), "\(row) in \(result.stdout)")
        }
    }
}
