import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport

@testable import XSNSAnalysis

/// Stored pair counts (`PairCountFile`, `PairCountTable`) against the masks made straight from the Fisher
/// values, count for count, and what happens when they are stale, damaged or incomplete: the pass over
/// the codes answers instead, never a wrong count.
struct PairCountTests {
    static let languages = ["de", "en", "fi", "ja"]

    /// A session of the four languages, seeds 1 and 2 (ja lacks seed 2), tie-heavy values whose masks share
    /// a common part, with every index saved.
    static func session(count: Int = 9001) throws -> (catalog: FisherCatalog, values: [String: [Int: [Float]]]) {
        let folder = try Fixtures.temporaryDirectory()
        var values: [String: [Int: [Float]]] = [:]
        let shared = MaskIndexTests.tieHeavy(count: count, seed: 99)
        for (offset, language) in languages.enumerated() {
            for seed in 1...2 where !(language == "ja" && seed == 2) {
                let own = MaskIndexTests.tieHeavy(count: count, seed: UInt64(offset * 10 + seed))
                let vector = zip(shared, own).map { $0 * 0.5 + $1 }
                values[language, default: [:]][seed] = vector
                let url = folder.appendingPathComponent("fisher/\(language).seed\(seed).safetensors")
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try writeFisher(vector, to: url)
            }
        }
        let catalog = try FisherCatalog(session: folder)
        _ = try catalog.indexes(notes: { _ in })
        return (catalog, values)
    }

    /// Two encoder layers and a tensor outside them, so that layer sizes have something to count.
    static func writeFisher(_ values: [Float], to url: URL) throws {
        let (a, b) = (values.count / 3, values.count / 4)
        let layout = TensorLayout([("roberta.encoder.layer.1.output.dense.weight", [a]), ("pooler.dense.bias", [b]),
                                   ("roberta.encoder.layer.0.attention.self.query.weight", [values.count - a - b])])
        try SafeTensorsWriter.write(FlatTensors(layout: layout, values: values), metadata: [:], to: url)
    }

    /// The overlaps of masks made from the values themselves.
    static func direct(_ values: [String: [Int: [Float]]], p: Double) throws -> PairwiseOverlaps {
        let subnetworks = try values.mapValues { seeds in try seeds.mapValues { try Subnetwork(fisher: $0, p: p) } }
        return PairwiseOverlaps(languages: languages, subnetworks: subnetworks)
    }

    static func collection(_ catalog: FisherCatalog) throws -> SubnetworkCollection {
        try SubnetworkCollection(languages: languages, indexes: catalog.indexes(notes: { _ in }))
    }

    static let sample = [0.01, 0.07, 0.15, 0.42, 0.5, 0.99]

    @Test func storedCountsEqualTheMasksAtEveryP() throws {
        let (catalog, values) = try Self.session()
        #expect(try PairCountStore(catalog: catalog).complete() == 7)
        let collection = try Self.collection(catalog)
        let runs = collection.runs
        for p in PairCountTable.ps {
            let stored = try #require(collection.pairCounts.overlaps(languages: Self.languages, runs: runs, p: p), "p=\(p)")
            #expect(stored == (try Self.direct(values, p: p)), "p=\(p)")
        }
        #expect(PairCountTable.ps.count == MaskGroups.grid.count && PairCountTable.ps.contains(0.075) && PairCountTable.ps.contains(1e-6))
        #expect(collection.pairCounts.overlaps(languages: Self.languages, runs: runs, p: 0.0731) == nil, "a p off the grid has no counts")
        // Layer shares, as the workbench's layer pane averages them over seeds.
        let map = ParameterMap(try #require(collection.layout))
        #expect(map.layerCount == 2)
        for p in Self.sample {
            let shares = try #require(collection.storedLayerShares(p: p))
            for language in Self.languages {
                let seeds = try values[language]!.keys.sorted().map { LayerViews.layerShare(try Subnetwork(fisher: values[language]![$0]!, p: p), map: map) }
                let expected = (0..<2).map { layer in seeds.map { $0[layer] }.reduce(0, +) / Double(seeds.count) }
                #expect(shares[language] == expected, "\(language) p=\(p)")
            }
        }
        #expect(try collection.overlaps(p: 0.0731) == (try Self.direct(values, p: 0.0731)))
        #expect(try collection.overlaps(ps: [0.075, 0.07, 0.0731]) == [0.075, 0.07, 0.0731].map { try Self.direct(values, p: $0) })
        #expect(try PairCountStore(catalog: catalog).complete() == 0, "a complete session is left as it is")
    }

    /// As `compute` writes them, one run at a time, each against the runs that already have an index.
    @Test func runsRecordedOneByOneCoverEveryPair() throws {
        let (catalog, values) = try Self.session()
        let store = PairCountStore(catalog: catalog)
        for language in Self.languages {
            for seed in 1...2 where catalog.files[language]?[seed] != nil {
                let partners = try store.record(language: language, seed: seed)
                #expect(partners == (seed == 1 ? 3 : 2))
            }
        }
        let collection = try Self.collection(catalog)
        for p in Self.sample {
            let stored = try #require(collection.pairCounts.overlaps(languages: Self.languages, runs: collection.runs, p: p))
            #expect(stored == (try Self.direct(values, p: p)), "p=\(p)")
        }
    }

    @Test func aReplacedFisherFileLosesItsCountsNotItsAnswers() throws {
        let (catalog, original) = try Self.session()
        var values = original
        try PairCountStore(catalog: catalog).complete()
        let changed = values["en"]![1]!.reversed().map { $0 * 3 }
        values["en"]![1] = Array(changed)
        try Self.writeFisher(Array(changed), to: catalog.files["en"]![1]!)
        let collection = try Self.collection(catalog)
        #expect(collection.pairCounts.overlaps(languages: Self.languages, runs: collection.runs, p: 0.15) == nil)
        for p in Self.sample { #expect(try collection.overlaps(p: p) == (try Self.direct(values, p: p)), "p=\(p)") }
        #expect(try PairCountStore(catalog: catalog).complete() == 4, "seed 1 written again")
        let completed = try Self.collection(catalog)
        let stored = try #require(completed.pairCounts.overlaps(languages: Self.languages, runs: completed.runs, p: 0.15))
        #expect(stored == (try Self.direct(values, p: 0.15)))
    }

    /// Damage of every kind: the file is not believed (the pass answers, rightly), and completing the
    /// session writes it again.
    @Test(arguments: ["truncated", "header edited", "not a pair file", "counts edited", "sizes edited, checksums redone"])
    func aDamagedFileIsNeverBelieved(damage: String) throws {
        let (catalog, values) = try Self.session()
        try PairCountStore(catalog: catalog).complete()
        let index = catalog.indexStore().url(forFisher: catalog.files["fi"]![1]!)
        let url = PairCountStore.url(forIndex: index)
        var bytes = try Data(contentsOf: url)
        switch damage {
        case "truncated": bytes.removeLast(8)
        case "header edited":
            let field = try #require(bytes.firstRange(of: Data("\"seed\":1".utf8)))
            bytes[field.upperBound - 1] = UInt8(ascii: "2")
        case "not a pair file": bytes.replaceSubrange(0..<8, with: Data("NOTPAIRS".utf8))
        case "counts edited": bytes[bytes.count - 5] ^= 0x01
        default:
            var contents = try PairCountFile.read(url)
            contents.sizes[14] += 1  // p = 0.15: the index's groups say otherwise
            try PairCountFile.write(contents, to: url)
            bytes = try Data(contentsOf: url)
        }
        try bytes.write(to: url)
        if damage == "sizes edited, checksums redone" {
            #expect((try? PairCountFile.read(url)) != nil, "well formed, but it contradicts the index")
        } else {
            #expect(throws: IndexDamaged.self) { try PairCountFile.read(url) }
        }
        let collection = try Self.collection(catalog)
        #expect(collection.pairCounts.described[1] == ["de", "en", "ja"], "\(damage)")
        // fi's pairs are also in its partners' files: what the table still answers must be right.
        if let stored = collection.pairCounts.overlaps(languages: Self.languages, runs: collection.runs, p: 0.15) {
            #expect(stored == (try Self.direct(values, p: 0.15)), "\(damage): a stored answer must be right")
        }
        #expect(try collection.overlaps(p: 0.15) == (try Self.direct(values, p: 0.15)), "\(damage)")
        #expect(try PairCountStore(catalog: catalog).complete() == 4, "seed 1 written again")
        #expect(try Self.collection(catalog).pairCounts.described[1] == Set(["de", "en", "fi", "ja"]))
    }
}
