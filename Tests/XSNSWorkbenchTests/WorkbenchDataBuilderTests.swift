import Foundation
import Testing
import XSNSAnalysis
import XSNSCompute
import XSNSSession
import XSNSStorage
import XSNSTUI
import XSNSTestSupport

@testable import XSNSWorkbench

/// The builder's data against what the analysis commands (`xsns matrix`, `layers`, `eval`) compute
/// from the same session folder.
@Suite struct WorkbenchDataBuilderTests {
    static let cases: [(Metric, SimilarityChoice, Double)] = [
        (.jaccard, .jaccard, 0.15), (.jaccard, .jaccard, 0.4), (.cosine, .cosine, 0.05), (.lex, .lex, 0.15),
        (.emb, .emb, 0.15),
    ]

    @Test(arguments: cases)
    func matricesMatchTheSessionAnalysis(metric: Metric, choice: SimilarityChoice, p: Double) throws {
        let session = try SmallSession.folder()
        let builder = WorkbenchDataBuilder(session: session, corpora: SmallSession.corpora)
        let data = try builder.build(planned: [], p: p, metric: metric, pair: nil, gold: nil)
        let reference = try SessionAnalysis(session: session.path, in: URL(fileURLWithPath: "/")).matrices(choice, p: p)
        let matrix = try #require(data.matrices[metric])
        #expect(matrix.languages == reference.mean.languages)
        #expect(matrix.languages == SmallSession.languages)
        for a in matrix.languages {
            for b in matrix.languages {
                let expected = try #require(reference.mean[a, b])
                let shown = try #require(matrix.value(a, b))
                // LEX sums token counts in dictionary order, which differs between two loads in the last bit.
                #expect(abs(shown - expected) <= 1e-12, "\(metric) \(a)×\(b): \(shown) vs \(expected)")
            }
        }
        #expect(matrix.seeds == (metric == .lex ? 1 : SmallSession.seeds.count))
    }

    /// Opening a session reports each mask index it opens (the workbench shows "reading indexes i/n");
    /// `compute` wrote them, so none is built and no Fisher file is read; a new p opens nothing.
    @Test func openingIndexesIsReported() throws {
        let builder = WorkbenchDataBuilder(session: try SmallSession.folder(), corpora: SmallSession.corpora)
        nonisolated(unsafe) var reports: [(Int, Int, Bool)] = []
        let lock = NSLock()
        builder.onFisherProgress = { done, total, building in lock.withLock { reports.append((done, total, building)) } }
        _ = try builder.build(planned: [], p: 0.15, metric: .jaccard, pair: nil, gold: nil)
        let files = SmallSession.languages.count * SmallSession.seeds.count
        #expect(reports.map(\.0).sorted() == Array(1...files) && reports.allSatisfy { $0.1 == files && !$0.2 })
        reports = []
        _ = try builder.build(planned: [], p: 0.3, metric: .jaccard, pair: nil, gold: nil)
        #expect(reports.isEmpty)
        #expect(builder.fisherLoads == 0)
    }

    /// An older session without indexes: the first opening builds each from its Fisher file (and says
    /// so), saves it, and the next opening reads no Fisher file.
    @Test func indexesMissingFromAnOlderSessionAreBuiltOnce() throws {
        let session = try SmallSession.copy()
        try FileManager.default.removeItem(at: session.appendingPathComponent("index"))
        let builder = WorkbenchDataBuilder(session: session, corpora: SmallSession.corpora)
        nonisolated(unsafe) var building = false
        builder.onFisherProgress = { _, _, built in if built { building = true } }
        let first = try builder.build(planned: [], p: 0.15, metric: .jaccard, pair: nil, gold: nil)
        let files = SmallSession.languages.count * SmallSession.seeds.count
        #expect(builder.fisherLoads == files && building)
        let reopened = WorkbenchDataBuilder(session: session, corpora: SmallSession.corpora)
        let second = try reopened.build(planned: [], p: 0.15, metric: .jaccard, pair: nil, gold: nil)
        #expect(reopened.fisherLoads == 0)
        #expect(first.matrices[.jaccard] == second.matrices[.jaccard])
    }

    @Test func aNewPOrMetricReadsNoFisherFileAgain() throws {
        let builder = WorkbenchDataBuilder(session: try SmallSession.folder(), corpora: SmallSession.corpora)
        let first = try builder.build(planned: [], p: 0.15, metric: .jaccard, pair: nil, gold: nil)
        let second = try builder.build(planned: [], p: 0.3, metric: .cosine, pair: LanguagePair("de", "fi"), gold: nil)
        _ = try builder.build(planned: [], p: 0.02, metric: .emb, pair: LanguagePair("en", "fi"), gold: nil)
        #expect(builder.fisherLoads == 0)
        #expect(first.matrices[.jaccard] != second.matrices[.jaccard])
        #expect(second.matrices[.jaccard]?.p == 0.3)
    }

    @Test func onlyANewFisherFileIsOpened() throws {
        let session = try SmallSession.copy()
        let builder = WorkbenchDataBuilder(session: session, corpora: SmallSession.corpora)
        _ = try builder.build(planned: ["nl"], p: 0.15, metric: .jaccard, pair: nil, gold: nil)
        _ = try ComputeJob(SmallSession.request(session, languages: ["nl"], seeds: [42])).run()
        nonisolated(unsafe) var reports: [(Int, Int, Bool)] = []
        builder.onFisherProgress = { reports.append(($0, $1, $2)) }
        let data = try builder.build(planned: ["nl"], p: 0.15, metric: .jaccard, pair: nil, gold: nil)
        #expect(reports.count == 1 && reports.first?.1 == 1)
        #expect(builder.fisherLoads == 0, "compute wrote nl's index")
        #expect(data.matrices[.jaccard]?.languages == ["de", "en", "fi", "nl"])
    }

    @Test func anUnreadableFisherFileIsReportedAndLeftOut() throws {
        let session = try SmallSession.copy()
        let broken = SessionPaths(folder: session).fisher(language: "fi", seed: 16)
        try Data("not safetensors".utf8).write(to: broken)
        let builder = WorkbenchDataBuilder(session: session, corpora: SmallSession.corpora)
        let data = try builder.build(planned: [], p: 0.15, metric: .jaccard, pair: nil, gold: nil)
        #expect(builder.problems.filter { $0.hasPrefix("fi.seed16.safetensors") }.count == 1, "\(builder.problems)")
        // fi keeps its other seed; the broken file is not read again while it stays as it is.
        let reference = try SessionAnalysis(session: SmallSession.folder().path, in: URL(fileURLWithPath: "/"))
            .matrices(.jaccard, p: 0.15).perSeed
        let seed42 = try #require(reference.last)
        #expect(data.matrices[.jaccard]?.value("fi", "en").map { abs($0 - (seed42["fi", "en"] ?? -1)) < 1e-12 } == true)
        let loads = builder.fisherLoads
        _ = try builder.build(planned: [], p: 0.2, metric: .jaccard, pair: nil, gold: nil)
        #expect(builder.fisherLoads == loads)
        #expect(builder.problems.filter { $0.hasPrefix("fi.seed16.safetensors") }.count == 1)
    }

    /// With the pair counts `compute` stored (no mask is made until the pair's layers are asked for) and
    /// without them (a mask per run): the same values as `xsns layers`.
    @Test(arguments: [true, false])
    func pairOverlapAndLayerSharesMatchTheLayersCommand(storedCounts: Bool) throws {
        let session = storedCounts ? try SmallSession.folder() : try SmallSession.copy()
        let index = session.appendingPathComponent("index")
        if !storedCounts {
            for name in try FileManager.default.contentsOfDirectory(atPath: index.path) where name.hasSuffix(".pairs") {
                try FileManager.default.removeItem(at: index.appendingPathComponent(name))
            }
        }
        let p = 0.2
        let collection = try FisherCatalog(session: session).collection()
        #expect((collection.storedLayerShares(p: p) != nil) == storedCounts && (collection.storedOverlaps(p: p) != nil) == storedCounts)
        let builder = WorkbenchDataBuilder(session: session, corpora: SmallSession.corpora)
        let data = try builder.build(planned: [], p: p, metric: .jaccard, pair: LanguagePair("fi", "de"), gold: nil)
        let reference = try SessionAnalysis(session: session.path, in: URL(fileURLWithPath: "/")).layers("de", "fi", p: p)
        let overlap = try #require(data.pairOverlaps[LanguagePair("de", "fi")])
        // Undefined overlaps (an empty union) travel as NaN, shown as n/a.
        func defined(_ value: Double) -> Double? { value.isNaN ? nil : value }
        #expect(overlap.perLayer.map(defined) == reference.view.layers)
        #expect(overlap.perComponent.map(\.name) == EncoderComponent.allCases.map(\.rawValue))
        #expect(overlap.perComponent.map { defined($0.value) } == EncoderComponent.allCases.map { reference.view.components[$0] ?? nil })
        #expect(data.layerShares["de"] == reference.shares.a)
        #expect(data.layerShares["fi"] == reference.shares.b)
        #expect(data.pairOverlaps.count == 1)
    }

    @Test func headMasksKeepTheMostImportantHeadsOfTheSeedMean() throws {
        let session = try SmallSession.folder()
        let builder = WorkbenchDataBuilder(session: session, corpora: SmallSession.corpora, headFraction: 0.25)
        let data = try builder.build(planned: [], p: 0.15, metric: .jaccard, pair: nil, gold: nil)
        let paths = SessionPaths(folder: session)
        #expect(data.headMasks.keys.sorted() == SmallSession.languages)
        for language in SmallSession.languages {
            // Reference: the importance files averaged over seeds, heads sorted by importance.
            let files = try SmallSession.seeds.map { try SafeTensorsFile(url: paths.headImportance(language: language, seed: $0)) }
            let shape = try #require(files.first?.info("head_importance")?.shape)
            let values = try files.map { try $0.floats("head_importance") }
            let mean = (0..<values[0].count).map { i in values.map { Double($0[i]) }.reduce(0, +) / Double(values.count) }
            let keep = Int((0.25 * Double(mean.count)).rounded())
            let best = Set(mean.indices.sorted { mean[$0] > mean[$1] }.prefix(keep))
            let mask = try #require(data.headMasks[language])
            #expect(mask.count == shape[0] && mask.allSatisfy { $0.count == shape[1] })
            #expect(Set(mask.joined().enumerated().filter(\.element).map(\.offset)) == best)
        }
        for layer in data.headCounts.indices {
            for head in data.headCounts[layer].indices {
                #expect(data.headCounts[layer][head] == data.headMasks.values.filter { $0[layer][head] }.count)
            }
        }
    }

    @Test func languagesShowCorpusSizesAndTheManifestStatus() throws {
        let builder = WorkbenchDataBuilder(session: try SmallSession.folder(), corpora: SmallSession.corpora)
        let data = try builder.build(planned: ["nl"], p: 0.15, metric: .jaccard, pair: nil, gold: nil)
        #expect(data.languages.map(\.code) == ["de", "en", "fi", "nl"])
        for language in data.languages {
            let lines = try Corpus.load(SmallSession.corpora.appendingPathComponent("\(language.code).txt")).lines.count
            #expect(language.corpusSentences == lines)
        }
        #expect(data.languages.map(\.status) == [.done, .done, .done, .pending])
        #expect(data.language("en")?.seeds.map(\.seed) == SmallSession.seeds)
        #expect(data.language("en")?.seeds.allSatisfy { $0.sentencesDone == 16 && $0.sentencesTotal == 16 } == true)
        #expect(data.language("en")?.name == "English")
    }

    @Test(arguments: [(Metric.jaccard, SimilarityChoice.jaccard), (.cosine, .cosine), (.emb, .emb)])
    func goldEvaluationMatchesTheEvalCommand(metric: Metric, choice: SimilarityChoice) throws {
        let session = try SmallSession.folder()
        let folder = try Fixtures.temporaryDirectory()
        let goldURL = folder.appendingPathComponent("gold.csv")
        // Made-up transfer scores: the evaluation only has to agree with `xsns eval` on the same file.
        let rows = ["source,target,score", "en,de,0.9", "fi,de,0.4", "de,en,0.8", "fi,en,0.3", "de,fi,0.5", "en,fi,0.7"]
        try Data(rows.joined(separator: "\n").utf8).write(to: goldURL)
        let gold = try GoldScores(contentsOf: goldURL)
        let builder = WorkbenchDataBuilder(session: session, corpora: SmallSession.corpora)
        let p = 0.15
        let data = try builder.build(planned: [], p: p, metric: metric, pair: nil, gold: gold)
        let (reference, _) = try SessionAnalysis(session: session.path, in: URL(fileURLWithPath: "/"))
            .evaluate(choice, p: p, gold: gold.table, k: 3, lowerIsBetter: false)
        let shown = try #require(data.gold)
        #expect(shown.source == "gold.csv")
        #expect(shown.scores["de"]?["en"] == 0.9)
        #expect(shown.evaluations.keys.sorted() == reference.targets.map(\.target).sorted())
        for target in reference.targets {
            let evaluation = try #require(shown.evaluations[target.target])
            #expect(evaluation.ndcg == target.ndcg)
            #expect(evaluation.top1 == (target.top1 > 0.5))
            #expect(evaluation.pearson == target.pearson)
            #expect(evaluation.spearman == target.spearman)
        }
    }

    @Test func anEmptySessionHasLanguagesButNoMatrices() throws {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("empty")
        let builder = WorkbenchDataBuilder(session: session, corpora: SmallSession.corpora)
        let data = try builder.build(planned: ["en", "fi"], p: 0.15, metric: .jaccard, pair: nil, gold: nil)
        #expect(data.languages.map(\.code) == ["en", "fi"])
        #expect(data.languages.allSatisfy { $0.status == .pending })
        #expect(data.matrices.isEmpty)
        #expect(builder.fisherLoads == 0)
    }
}
