import Testing
import XSNSStorage

@testable import XSNSAnalysis

/// The sweep's one-pass overlaps against the ordinary path (a mask per run, then pairwise intersections),
/// count for count, on tie-heavy vectors whose lengths cross word and block boundaries, with a language
/// that lacks a seed and p both on the index grid and off it.
struct GridOverlapSweepTests {
    static let ps = [0.01, 0.0731, 0.15, 0.2, 0.5, 0.6, 0.9, 1e-6, 0.999999]

    static func collection(count: Int, dropping: (String, Int)? = nil) throws -> SubnetworkCollection {
        let languages = ["de", "fi", "ja", "zh"]
        var indexes: [String: [Int: SubnetworkIndex]] = [:]
        for (l, language) in languages.enumerated() {
            for seed in 1...3 where !(dropping.map { $0 == (language, seed) } ?? false) {
                let values = MaskIndexTests.tieHeavy(count: count, seed: UInt64(10 * l + seed))
                indexes[language, default: [:]][seed] = try SubnetworkIndex(FlatTensors(layout: TensorLayout([("v", [count])]), values: values))
            }
        }
        return try SubnetworkCollection(languages: languages, indexes: indexes)
    }

    static func expectSame(_ swept: PairwiseOverlaps, _ ordinary: PairwiseOverlaps, _ label: String) {
        #expect(swept.seeds == ordinary.seeds, "\(label)")
        #expect(swept.sizes == ordinary.sizes, "\(label)")
        #expect(swept.intersections == ordinary.intersections, "\(label)")
    }

    @Test(arguments: [1, 63, 64, 65, 8191, 8192, 8193, 40_000])
    func oneSweepEqualsAMaskPerP(count: Int) throws {
        let collection = try Self.collection(count: count, dropping: ("ja", 2))
        let swept = try collection.overlaps(ps: Self.ps)
        #expect(swept.count == Self.ps.count)
        for (p, overlaps) in zip(Self.ps, swept) {
            Self.expectSame(overlaps, try collection.overlaps(p: p), "count \(count), p=\(p)")
        }
        #expect(swept[2].intersections[2]?[0][2] == nil, "ja has no seed 2")
        #expect(swept[2].intersections[1]?[0][1] != nil)
    }

    /// Every p after the first goes through the one-pass path when on the grid (not a fallback in disguise).
    @Test func gridPsAreSweptInOnePass() throws {
        let collection = try Self.collection(count: 5000)
        let runs = collection.runs
        let swept = try GridOverlapSweep.overlaps(languages: collection.languages, runs: runs, ps: Self.ps)
        #expect(swept.map { $0 != nil } == Self.ps.map { MaskGroups.grid.contains($0) })
        for (p, overlaps) in zip(Self.ps, swept) {
            if let overlaps { Self.expectSame(overlaps, try collection.overlaps(p: p), "p=\(p)") }
        }
    }

    /// Codes edited after the index was built: the sweep notices the group counts are wrong, as the mask
    /// path does, and no overlap is returned.
    @Test func editedCodesAreNeverCounted() throws {
        let collection = try Self.collection(count: 5000)
        let index = collection.indexes["fi"]![2]!
        UnsafeMutablePointer(mutating: index.planes)[8 * 40 + 7] ^= 0xFF
        let runs = collection.runs
        #expect(throws: IndexDamaged.self) { try GridOverlapSweep.overlaps(languages: collection.languages, runs: runs, ps: [0.15, 0.5]) }
        #expect(throws: IndexDamaged.self) { try collection.overlaps(ps: [0.2, 0.15, 0.5]) }
    }
}
