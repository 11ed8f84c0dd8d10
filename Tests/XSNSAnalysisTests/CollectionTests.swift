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
            let (mean, perSeed) = collection.matrix(p: reference.p, metric: metric)
            #expect(perSeed.keys.sorted() == [1, 2])
            let expected = try #require(reference.matrices[metric.rawValue])
            for (row, expectedRow) in zip(mean.values, expected) {
                #expect(zip(row, expectedRow).allSatisfy { close($0, $1, tolerance: 1e-12) }, "\(metric)")
            }
        }
    }

    @Test func seedAveragedFisherMatchesNumpy() throws {
        let (_, reference, vectors) = try Self.collection()
        let averaged = try vectors.mapValues { seeds in
            [0: try SubnetworkIndex(FlatTensors.mean(seeds.keys.sorted().map { seeds[$0]! }))]
        }
        let collection = try SubnetworkCollection(languages: reference.languages, indexes: averaged)
        let mean = collection.matrix(p: reference.p, metric: .jaccard).mean
        for (row, expectedRow) in zip(mean.values, reference.matrices["jaccard_seed_averaged"]!) {
            #expect(zip(row, expectedRow).allSatisfy { close($0, $1, tolerance: 1e-12) })
        }
    }

    @Test func rankingIsBestFirstWithoutTheTarget() throws {
        let (collection, reference, _) = try Self.collection()
        let matrix = collection.matrix(p: reference.p, metric: .jaccard).mean
        let ranking = Ranking(target: "en", matrix: matrix)
        #expect(ranking.candidates.map(\.language).sorted() == ["et", "fi"])
        #expect(ranking.candidates[0].score >= ranking.candidates[1].score)
        #expect(ranking.candidates.allSatisfy { $0.score == matrix["en", $0.language] })
    }

    @Test func missingLanguageIsAnInputError() {
        #expect(throws: InputError.self) { try SubnetworkCollection(languages: ["xx"], indexes: [:]) }
    }
}
