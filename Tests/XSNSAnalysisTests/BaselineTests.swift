import Foundation
import Testing
import XSNSTestSupport

@testable import XSNSAnalysis

/// LEX against `1 - scipy.spatial.distance.jensenshannon(p, q, base=2)**2`, EMB against numpy cosine.
struct BaselineTests {
    struct Fixture: Decodable {
        struct Lex: Decodable { let a: [String: Int]; let b: [String: Int]; let similarity: Double }
        struct Emb: Decodable { let a: [Double]; let b: [Double]; let cosine: Double }
        let lex: [Lex]
        let emb: [Emb]
    }

    static func counts(_ map: [String: Int]) -> [Int: Int] {
        Dictionary(uniqueKeysWithValues: map.compactMap { key, value in Int(key).map { ($0, value) } })
    }

    @Test func lexicalSimilarityMatchesSciPy() throws {
        let fixture: Fixture = try AnalysisFixtures.json("baselines.json")
        for reference in fixture.lex {
            let value = Baselines.lexicalSimilarity(Self.counts(reference.a), Self.counts(reference.b))
            #expect(close(value, reference.similarity, tolerance: 1e-12), "\(reference.a) vs \(reference.b)")
        }
        #expect(Baselines.lexicalSimilarity([:], [1: 1]) == nil)
    }

    @Test func embeddingSimilarityMatchesNumpy() throws {
        let fixture: Fixture = try AnalysisFixtures.json("baselines.json")
        for reference in fixture.emb {
            #expect(close(Baselines.embeddingSimilarity(reference.a, reference.b), reference.cosine, tolerance: 1e-12))
        }
        #expect(Baselines.embeddingSimilarity([0, 0], [1, 2]) == nil)
    }
}
