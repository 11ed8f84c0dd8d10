import Foundation
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

    @Test(arguments: [1, 63, 64, 65, 8191, 8192, 8193, 40_000])
    func oneSweepEqualsAMaskPerP(count: Int) throws {
        let collection = try Self.collection(count: count, dropping: ("ja", 2))
        let swept = try collection.overlaps(ps: Self.ps)
        #expect(swept.count == Self.ps.count)
        for (p, overlaps) in zip(Self.ps, swept) {
            try #expect(overlaps == collection.overlaps(p: p), "count \(count), p=\(p)")
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
            if let overlaps { try #expect(overlaps == collection.overlaps(p: p), "p=\(p)") }
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

    /// One p without a mask per run equals the masks' overlaps, across the pass's stretches of 8,192 words.
    @Test(arguments: [1, 65, 8193, 600_000])
    func onePassAtOnePEqualsTheMasks(count: Int) throws {
        let collection = try Self.collection(count: count, dropping: ("zh", 1))
        for p in [0.01, 0.15, 0.5, 0.9, 0.0731] {
            let pass = try GridOverlapPass.overlaps(languages: collection.languages, runs: collection.runs, p: p)
            #expect((pass != nil) == MaskGroups.grid.contains(p), "p=\(p)")
            let masks = PairwiseOverlaps(languages: collection.languages, subnetworks: try collection.subnetworks(p: p))
            if let pass { #expect(pass == masks, "count \(count), p=\(p)") }
            try #expect(collection.overlaps(p: p) == masks, "count \(count), p=\(p)")
        }
    }

    /// Saved indexes: the pass and the sweep confirm their checksums as the mask path would; codes swapped in a file
    /// (every group count still right) fail the checksum, and the overlaps come from the rebuilt index.
    @Test func onePassChecksSavedIndexesAndNeverCountsSwappedCodes() throws {
        let values = MaskIndexTests.tieHeavy(count: 9001, seed: 11)
        let (store, fisher, notes) = try MaskIndexTests.session(values: values)
        let other = fisher.deletingLastPathComponent().appendingPathComponent("fi.seed1.safetensors")
        let otherValues = MaskIndexTests.tieHeavy(count: 9001, seed: 12)
        try MaskIndexTests.writeFisher(otherValues, to: other)
        _ = try store.open(fisher)
        _ = try store.open(other)
        let url = store.url(forFisher: fisher)
        var bytes = try Data(contentsOf: url)
        let planes = bytes.count - CodePlanes.wordCount(values.count) * 64
        let (a, b) = (planes + 64 * 10, planes + 64 * 90)
        let first = bytes[a..<(a + 64)]
        bytes.replaceSubrange(a..<(a + 64), with: bytes[b..<(b + 64)])
        bytes.replaceSubrange(b..<(b + 64), with: first)
        try bytes.write(to: url)

        let collection = try SubnetworkCollection(
            languages: ["de", "fi"], indexes: ["de": [1: try store.open(fisher)], "fi": [1: try store.open(other)]])
        #expect(collection.indexes["fi"]![1]!.wholeGroupMask(p: 0.15)?.checksum != nil, "not yet confirmed")
        #expect(throws: IndexDamaged.self) { try GridOverlapPass.overlaps(languages: collection.languages, runs: collection.runs, p: 0.15) }
        #expect(throws: IndexDamaged.self) {
            try GridOverlapSweep.overlaps(languages: collection.languages, runs: collection.runs, ps: [0.15, 0.5])
        }
        let direct = [try Subnetwork(fisher: values, p: 0.15), try Subnetwork(fisher: otherValues, p: 0.15)]
        let overlaps = try collection.overlaps(p: 0.15)
        #expect(overlaps.intersections[1]?[0][1] == direct[0].bits.intersectionCount(direct[1].bits))
        #expect(overlaps.sizes[1] == ["de": direct[0].size, "fi": direct[1].size])
        #expect(notes.all.count == 1 && notes.all[0].contains(url.path), "\(notes.all)")
        #expect(collection.indexes["fi"]![1]!.wholeGroupMask(p: 0.15)?.checksum == nil, "confirmed")
    }
}
