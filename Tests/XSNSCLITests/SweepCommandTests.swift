import Foundation
import Testing
import XSNSTestSupport

/// `xsns sweep` re-derives sub-networks at each p: its values must equal `xsns matrix` at that p.
@Suite struct SweepCommandTests {
    @Test func pairSweepAgreesWithTheMatrixAtEveryCheckedP() throws {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        let root = Fixtures.repositoryRoot
        let computed = try XSNSBinary.run([
            "compute", "--session", session.path, "--model", root.appendingPathComponent("Sources/xsns/DemoModel").path,
            "--corpora", root.appendingPathComponent("Corpora").path, "--langs", "nl,uk", "--sentences", "12",
            "--seeds", "3,4",
        ])
        #expect(computed.status == 0, "\(computed.stderr)")

        let sweep = try XSNSBinary.run(["sweep", "--session", session.path, "--pair", "nl,uk", "--metric", "cosine", "--format", "json"])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let rows = try #require(
            (try JSONSerialization.jsonObject(with: Data(sweep.stdout.utf8)) as? [String: Any])?["sweep"] as? [[String: Any]])
        #expect(rows.count == 54)
        for p in [0.05, 0.3, 0.9] {
            let row = try #require(rows.first { abs(($0["p"] as? Double ?? -1) - p) < 1e-12 })
            let matrix = try XSNSBinary.run(["matrix", "--session", session.path, "--p", "\(p)", "--metric", "cosine", "--format", "json"])
            let values = (try JSONSerialization.jsonObject(with: Data(matrix.stdout.utf8)) as? [String: Any])?["matrix"] as? [[Double]]
            #expect(row["cosine"] as? Double == values?[0][1], "p = \(p)")
        }
    }

    @Test func needsExactlyOneOfPairAndGold() throws {
        let result = try XSNSBinary.run(["sweep", "--session", "/nonexistent/s"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("exactly one of --pair"))
    }
}
