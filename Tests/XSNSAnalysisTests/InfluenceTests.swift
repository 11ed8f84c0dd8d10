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

/// Influence over seeds that cover different languages, and malformed sketch files.
struct InfluenceSeedCoverageTests {
    static func write(_ folder: URL, _ language: String, seed: Int, rows: Int, dimension: Int = 8, tensor: String = "sketch") throws {
        var random = SystemRandomNumberGenerator()
        let values = (0..<(rows * dimension)).map { _ in Float.random(in: -1...1, using: &random) }
        try SafeTensorsWriter.write(FlatTensors(layout: TensorLayout([(tensor, [rows, dimension])]), values: values), metadata: [:],
                                    to: folder.appendingPathComponent("sketches/\(language).seed\(seed).safetensors"))
    }

    @Test func onlySeedsEveryLanguageHasAreAveragedSoRowsAddUpToOne() throws {
        let session = try Fixtures.temporaryDirectory()
        try FileManager.default.createDirectory(at: session.appendingPathComponent("sketches"), withIntermediateDirectories: true)
        for language in ["de", "fi"] {
            for seed in [1, 2] { try Self.write(session, language, seed: seed, rows: 6) }
        }
        try Self.write(session, "es", seed: 2, rows: 6)  // es has only seed 2 so far
        let catalog = try FisherCatalog(session: session, folder: "sketches")
        let (mean, perSeed) = try Influence.matrices(catalog: catalog, m: 3)
        #expect(Array(perSeed.keys) == [2], "seed 1 lacks es")
        for (t, row) in mean.positive.values.enumerated() {
            let sum = row.compactMap { $0 }.reduce(0, +)
            #expect(abs(sum - 1) < 1e-12, "\(mean.positive.languages[t]): \(row)")
        }
    }

    @Test func malformedSketchFilesAreInputErrorsNamingTheFile() throws {
        let session = try Fixtures.temporaryDirectory()
        try FileManager.default.createDirectory(at: session.appendingPathComponent("sketches"), withIntermediateDirectories: true)
        try Self.write(session, "de", seed: 1, rows: 4)
        try Self.write(session, "fi", seed: 1, rows: 4, tensor: "other")
        let catalog = try FisherCatalog(session: session, folder: "sketches")
        let bad = session.appendingPathComponent("sketches/fi.seed1.safetensors").path
        #expect { _ = try Influence.matrices(catalog: catalog) } throws: { ($0 as? InputError)?.file == bad }
        try Self.write(session, "fi", seed: 1, rows: 4, dimension: 9)
        #expect { _ = try Influence.matrices(catalog: catalog) } throws: { ($0 as? InputError)?.file == bad }
    }
}
