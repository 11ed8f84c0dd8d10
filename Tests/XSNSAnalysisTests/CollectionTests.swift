import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport

@testable import XSNSAnalysis

/// Similarity matrices over languages and seeds against numpy (views.json, "matrices").
struct CollectionTests {
    struct Matrices: Decodable { let matrices: [String: [[Double]]]; let languages: [String]; let p: Double }

    /// Seed 1: the fixture vectors; seed 2: each vector reversed (as the generator does).
    static func collection() throws -> (SubnetworkCollection, Matrices, [String: [Int: FlatTensors]]) {
        let reference: Matrices = try AnalysisFixtures.json("views.json")
        let (_, fisher) = try ViewTests.load()
        var vectors: [String: [Int: FlatTensors]] = [:]
        for (language, tensors) in fisher {
            vectors[language] = [1: tensors, 2: FlatTensors(layout: tensors.layout, values: tensors.values.reversed())]
        }
        let indexes = try vectors.mapValues { try $0.mapValues { try SubnetworkIndex($0) } }
        return (try SubnetworkCollection(languages: reference.languages, indexes: indexes), reference, vectors)
    }

    @Test func meanOverSeedsMatchesNumpy() throws {
        let (collection, reference, _) = try Self.collection()
        for metric in MaskMetric.allCases {
            let (mean, perSeed) = try collection.matrix(p: reference.p, metric: metric)
            #expect(perSeed.keys.sorted() == [1, 2])
            let expected = try #require(reference.matrices[metric.rawValue])
            for (row, expectedRow) in zip(mean.values, expected) {
                #expect(zip(row, expectedRow).allSatisfy { close($0, $1, tolerance: 1e-12) }, "\(metric)")
            }
        }
    }

    /// Every run reports once as it finishes, counted up to the number of runs, and the masks are the
    /// same with or without a listener.
    @Test func maskProgressCountsEveryRunOnce() throws {
        let (collection, reference, _) = try Self.collection()
        let reports = NSLock()
        nonisolated(unsafe) var seen: [(Int, Int)] = []
        let observed = try collection.subnetworks(p: reference.p) { done, total in reports.withLock { seen.append((done, total)) } }
        let runs = collection.languages.count * 2
        #expect(seen.map(\.0).sorted() == Array(1...runs))
        #expect(seen.allSatisfy { $0.1 == runs })
        let quiet = try collection.subnetworks(p: reference.p)
        for language in collection.languages {
            for seed in [1, 2] { #expect(observed[language]?[seed]?.bits == quiet[language]?[seed]?.bits) }
        }
    }

    @Test func seedAveragedFisherMatchesNumpy() throws {
        let (_, reference, vectors) = try Self.collection()
        let averaged = try vectors.mapValues { seeds in
            [0: try SubnetworkIndex(FlatTensors.mean(seeds.keys.sorted().map { seeds[$0]! }))]
        }
        let collection = try SubnetworkCollection(languages: reference.languages, indexes: averaged)
        let mean = try collection.matrix(p: reference.p, metric: .jaccard).mean
        for (row, expectedRow) in zip(mean.values, reference.matrices["jaccard_seed_averaged"]!) {
            #expect(zip(row, expectedRow).allSatisfy { close($0, $1, tolerance: 1e-12) })
        }
    }

    @Test func rankingIsBestFirstWithoutTheTarget() throws {
        let (collection, reference, _) = try Self.collection()
        let matrix = try collection.matrix(p: reference.p, metric: .jaccard).mean
        let ranking = Ranking(target: "en", matrix: matrix)
        #expect(ranking.candidates.map(\.language).sorted() == ["et", "fi"])
        #expect(ranking.candidates[0].score >= ranking.candidates[1].score)
        #expect(ranking.candidates.allSatisfy { $0.score == matrix["en", $0.language] })
    }

    @Test func missingLanguageIsAnInputError() {
        #expect(throws: InputError.self) { try SubnetworkCollection(languages: ["xx"], indexes: [:]) }
    }
}

/// The p-sweep re-derives the same quantities as a direct computation at each p.
struct PSweepTests {
    @Test func pairSweepFollowsTheMatrixAtEachP() throws {
        let (collection, _, _) = try CollectionTests.collection()
        let values = [0.05, 0.2, 0.5]
        let sweep = try PSweep.pair("en", "fi", in: collection, metric: .cosine, values: values)
        #expect(sweep.map(\.p) == values)
        for (p, similarity) in sweep {
            #expect(try similarity == collection.matrix(p: p, metric: .cosine).mean["en", "fi"])
        }
    }

    @Test func evaluationSweepEvaluatesEverySeed() throws {
        let (collection, _, _) = try CollectionTests.collection()
        var gold = TransferTable()
        for (source, target, value) in [("fi", "et", 0.9), ("en", "et", 0.5), ("et", "fi", 0.8), ("en", "fi", 0.6)] {
            gold.insert(source: source, target: target, value: value)
        }
        let sweep = try PSweep.evaluation(in: collection, gold: gold, metric: .jaccard, values: [0.1, 0.3])
        for (p, evaluation) in sweep {
            let perSeed = try collection.matrix(p: p, metric: .jaccard).perSeed
            let runs = try [1, 2].map { try TransferEvaluation(predictions: TransferTable(matrix: perSeed[$0]!), gold: gold) }
            #expect(evaluation == TransferEvaluation.averaged(runs))
        }
    }
}
