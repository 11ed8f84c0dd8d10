import Foundation
import Testing
import XSNSAnalysis
import XSNSProbe
import XSNSSession
import XSNSTUI
import XSNSTestSupport

@testable import XSNSWorkbench

/// The Probe view's data from a session's probe files: Δ per cell from the runs finished so far, missing
/// runs counted, and the predictor's agreement equal to `xsns eval --gold probe` on the finished cells.
@Suite struct ProbeViewDataTests {
    static func write(_ json: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(json.utf8).write(to: url)
    }

    static func run(_ transfer: String, _ run: Int, correct: Int) -> String {
        """
        {"transfer":"\(transfer)","steps":10,"run":\(run),"losses":[3.5],
         "accuracy":{"fi":{"correct":\(correct),"words":200,"unknown_tags":0,"dropped_words":0}}}
        """
    }

    @Test func cellsFillInAsRunsFinish() throws {
        let session = try SmallSession.copy()
        let paths = ProbePaths(session: session)
        try Self.write("""
            {"corpora":"c","treebanks":"t","transfer":["de","en"],"targets":["fi"],"steps":[10],"runs":2,
             "batch_size":8,"lr":5e-05,"mask_prob":0.15,"packing":"blocks","block_length":512,"record_inputs":false}
            """, to: paths.runOptions)
        try Self.write(#"{"fi":{"correct":100,"words":200,"unknown_tags":0,"dropped_words":0}}"#, to: paths.original)
        try Self.write(Self.run("de", 1, correct: 104), to: paths.run(transfer: "de", steps: 10, run: 1))
        try Self.write(Self.run("de", 2, correct: 106), to: paths.run(transfer: "de", steps: 10, run: 2))
        try Self.write(Self.run("en", 1, correct: 98), to: paths.run(transfer: "en", steps: 10, run: 1))

        let builder = WorkbenchDataBuilder(session: session, corpora: SmallSession.corpora)
        var table = try #require(try builder.build(planned: [], p: 0.15, metric: .jaccard, pair: nil, gold: nil).probe?.tables.first)
        #expect(table.steps == 10 && table.transfer == ["de", "en"] && table.targets == ["fi"])
        #expect(abs(table.delta[0][0]! - 2.5) < 1e-12 && abs(table.delta[1][0]! + 1) < 1e-12)
        #expect(table.runsDone == [[2], [1]] && table.finishedRuns == 3 && table.plannedRuns == 4)
        #expect(table.ndcg == nil, "one finished cell cannot rank transfer languages")

        try Self.write(Self.run("en", 2, correct: 104), to: paths.run(transfer: "en", steps: 10, run: 2))
        table = try #require(try builder.build(planned: [], p: 0.15, metric: .jaccard, pair: nil, gold: nil).probe?.tables.first)
        #expect(abs(table.delta[1][0]! - 0.5) < 1e-12 && table.finishedRuns == 4)
        let csv = try #require(try ProbeResults.load(paths)?.table(steps: 10))
        try Self.write(csv, to: paths.transferTable(steps: 10))
        let gold = try TransferTable.load(try #require(try paths.goldTable(reference: "probe")))
        let reference = try SessionAnalysis(session: session.path, in: URL(fileURLWithPath: "/"))
            .evaluate(.jaccard, p: 0.15, gold: gold, k: 3, lowerIsBetter: false).0
        #expect(table.ndcg == reference.mean.ndcg && table.spearman == reference.mean.spearman)
        #expect(table.evaluatedTargets == 1)
    }
}
