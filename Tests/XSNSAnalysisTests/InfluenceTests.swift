import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport
@testable import XSNSAnalysis

/// Influence shares against a numpy replay (Tests/FixtureGenerator/gen_influence.py) from stored sketch
/// files: 4 languages × 2 seeds of different sizes, a zero row (a sentence that predicted nothing), top 5;
/// per seed and the mean. And the top-k selection on its own, ties included.
struct InfluenceTests {
    struct Expected: Decodable {
        struct Pair: Decodable { var influence_plus: [[Double?]]; var influence_minus: [[Double?]] }
        var m: Int
        var languages: [String]
        var per_seed: [String: Pair]
        var mean: Pair
    }

    @Test func sharesEqualTheNumpyReplay() throws {
        let folder = Fixtures.url("influence")
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: folder.appendingPathComponent("expected.json")))
        // A session folder whose sketches/ are the fixture's (listed as the catalog's runs).
        let session = try Fixtures.temporaryDirectory()
        try FileManager.default.createSymbolicLink(at: session.appendingPathComponent("sketches"),
                                                   withDestinationURL: folder.appendingPathComponent("sketches"))
        let catalog = try FisherCatalog(session: session, folder: "sketches")
        let (mean, perSeed) = try Influence.matrices(catalog: catalog, m: expected.m)
        func compare(_ actual: SimilarityMatrix, _ reference: [[Double?]], _ label: String) {
            #expect(actual.languages == expected.languages)
            for (i, row) in reference.enumerated() {
                for (j, value) in row.enumerated() {
                    let mine = actual.values[i][j]
                    #expect((mine == nil) == (value == nil) && abs((mine ?? 0) - (value ?? 0)) < 1e-12,
                            "\(label) [\(expected.languages[i])][\(expected.languages[j])]: \(String(describing: mine)) vs \(String(describing: value))")
                }
            }
        }
        for seed in [1, 2] {
            let reference = try #require(expected.per_seed["\(seed)"])
            compare(try #require(perSeed[seed]).positive, reference.influence_plus, "seed \(seed) +")
            compare(try #require(perSeed[seed]).negative, reference.influence_minus, "seed \(seed) -")
        }
        compare(mean.positive, expected.mean.influence_plus, "mean +")
        compare(mean.negative, expected.mean.influence_minus, "mean -")
    }

    @Test func topKeepsTheFirstKAndBreaksTiesByIndex() {
        let values: [Double] = [0.5, 0.9, 0.5, 0.1, 0.9, 0.7]
        #expect(Influence.top(3, of: Array(values.indices)) { values[$0] > values[$1] } == [1, 4, 5])
        #expect(Influence.top(3, of: Array(values.indices)) { values[$0] < values[$1] } == [3, 0, 2])
        #expect(Influence.top(10, of: [2, 3]) { values[$0] > values[$1] } == [2, 3])
        var random = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let data = (0..<30).map { _ in Double(Int.random(in: 0..<6, using: &random)) }
            let k = Int.random(in: 1...12, using: &random)
            let reference = Array(data.indices.sorted { (-data[$0], $0) < (-data[$1], $1) }.prefix(k))
            #expect(Influence.top(k, of: Array(data.indices)) { data[$0] > data[$1] } == reference)
        }
    }
}
