import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport

@testable import XSNSAnalysis

/// A session folder built from the view fixtures (3 languages × 2 seeds of safetensors Fisher files).
struct SessionTests {
    static func makeSession() throws -> URL {
        let (_, _, vectors) = try CollectionTests.collection()
        let session = try Fixtures.temporaryDirectory("xsns-session")
        let folder = session.appendingPathComponent("fisher")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (language, seeds) in vectors {
            for (seed, tensors) in seeds {
                try SafeTensorsWriter.write(tensors, metadata: ["seed": String(seed)], to: folder.appendingPathComponent("\(language).seed\(seed).safetensors"))
            }
        }
        try Data("{\"version\":1}\n".utf8).write(to: session.appendingPathComponent("session.json"))
        return session
    }

    @Test func catalogFindsLanguagesAndSeedsAndMatchesNumpy() throws {
        let session = try Self.makeSession()
        // Files that are not `<code>.seed<k>.safetensors` with a plain language code are not Fisher runs.
        for stray in ["x.y.seed1.safetensors", "en.seedX.safetensors", ".seed1.safetensors", "notes.txt"] {
            try Data().write(to: session.appendingPathComponent("fisher/\(stray)"))
        }
        let analysis = try SessionAnalysis(session: session.path, in: URL(fileURLWithPath: "/"))
        #expect(analysis.catalog.languages == ["en", "et", "fi"])
        #expect(analysis.catalog.files["fi"]?.keys.sorted() == [1, 2])
        let reference: CollectionTests.Matrices = try AnalysisFixtures.json("views.json")
        let (mean, perSeed) = try analysis.matrices(.jaccard, p: reference.p)
        #expect(perSeed.count == 2)
        // The catalog orders languages alphabetically; the fixture uses its own order.
        for (i, a) in reference.languages.enumerated() {
            for (j, b) in reference.languages.enumerated() {
                #expect(close(mean[a, b], reference.matrices["jaccard"]![i][j], tolerance: 1e-12))
            }
        }
    }

    @Test func seedAveragedMasksAndTheInteractiveCollectionMatchNumpy() throws {
        let session = try Self.makeSession()
        let analysis = try SessionAnalysis(session: session.path, in: URL(fileURLWithPath: "/"))
        let reference: CollectionTests.Matrices = try AnalysisFixtures.json("views.json")
        let averaged = try analysis.matrices(.jaccard, p: reference.p, seedAveraged: true).mean
        let interactive = try analysis.catalog.collection().matrix(p: reference.p, metric: .cosine).mean
        for (i, a) in reference.languages.enumerated() {
            for (j, b) in reference.languages.enumerated() {
                #expect(close(averaged[a, b], reference.matrices["jaccard_seed_averaged"]![i][j], tolerance: 1e-12))
                #expect(close(interactive[a, b], reference.matrices["cosine"]![i][j], tolerance: 1e-12))
            }
        }
    }

    @Test func badRequestsAreInputErrors() throws {
        let session = try Self.makeSession()
        let analysis = try SessionAnalysis(session: session.path, in: URL(fileURLWithPath: "/"))
        #expect(throws: InputError.self) { try analysis.catalog.require("xx") }
        #expect(throws: InputError.self) { try analysis.matrices(.jaccard, p: 1) }
        #expect(throws: InputError.self) { try analysis.matrices(.jaccard, p: 0) }
        #expect(throws: InputError.self) { try analysis.matrices(.lex, p: 0.5) }
        #expect(throws: InputError.self) { try SessionAnalysis(session: "/nonexistent/xsns-session", in: URL(fileURLWithPath: "/")) }
    }

    @Test func layersAverageOverSeeds() throws {
        let session = try Self.makeSession()
        let analysis = try SessionAnalysis(session: session.path, in: URL(fileURLWithPath: "/"))
        let (view, shares) = try analysis.layers("en", "fi", p: 0.2)
        #expect(view.layers.count == 3)
        #expect(abs(shares.a.reduce(0, +) - 1) < 1e-12)
        let json = AnalysisReports.layers(view, pair: ("en", "fi"), shares: shares, p: 0.2, format: .json)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect((object?["layers"] as? [Any])?.count == 3)
    }

    @Test func headImportanceIsAveragedOverSeedsAndExported() throws {
        let session = try Self.makeSession()
        let heads = session.appendingPathComponent("heads")
        try FileManager.default.createDirectory(at: heads, withIntermediateDirectories: true)
        let layout = TensorLayout([("head_importance", [3, 2])])
        let seeds: [Int: [Float]] = [1: [1, 2, 3, 4, 5, 6], 2: [3, 2, 1, 0, 5, 8]]
        for language in ["en", "et", "fi"] {
            for (seed, values) in seeds {
                try SafeTensorsWriter.write(
                    FlatTensors(layout: layout, values: language == "fi" ? values.reversed() : values), metadata: [:],
                    to: heads.appendingPathComponent("\(language).seed\(seed).safetensors"))
            }
        }
        let catalog = try FisherCatalog(session: session)
        #expect(try catalog.headImportance("en") == HeadGrid([[2, 2], [2, 2], [5, 7]]))
        // Top half of the heads: en and et keep (2,1), (2,0) and the first of the ties, (0,0); fi (grids reversed) keeps (0,0), (0,1), (1,0).
        let export = try SessionExport(catalog: catalog, p: 0.2, headFraction: 0.5)
        let files = Dictionary(uniqueKeysWithValues: export.files.map { ($0.path, String(decoding: $0.data, as: UTF8.self)) })
        #expect(files["heads/importance-en.csv"] == "layer,h0,h1\n0,2.0,2.0\n1,2.0,2.0\n2,5.0,7.0\n")
        #expect(files["heads/usage-by-importance.csv"] == "layer,h0,h1\n0,3,1\n1,1,0\n2,2,2\n")
        #expect(files["figures/heatmap-head-cosine-by-importance.svg"] != nil)
    }

    @Test func exportWritesACompleteFolder() throws {
        let session = try Self.makeSession()
        let catalog = try FisherCatalog(session: session)
        var gold = TransferTable()
        for (source, target, value) in [("fi", "et", 0.9), ("en", "et", 0.5), ("et", "fi", 0.8), ("en", "fi", 0.6), ("fi", "en", 0.4), ("et", "en", 0.3)] {
            gold.insert(source: source, target: target, value: value)
        }
        let export = try SessionExport(catalog: catalog, p: 0.2, gold: ("toy.csv", gold))
        let out = try Fixtures.temporaryDirectory("xsns-export").appendingPathComponent("paper")
        try export.write(to: out)
        try export.write(to: out)  // replacing an earlier export
        let listed = try FileManager.default.subpathsOfDirectory(atPath: out.path)
        for expected in ["session.json", "matrices/jaccard.csv", "matrices/cosine.json", "rankings/fi.csv", "rankings.json",
                         "layers/share.csv", "layers/jaccard-by-layer.csv", "evaluation.json", "report.md",
                         "figures/heatmap-jaccard.svg", "tables/matrix-jaccard.tex", "tables/evaluation.tex"] {
            #expect(listed.contains(expected), "\(expected)")
        }
        let siblings = try FileManager.default.contentsOfDirectory(atPath: out.deletingLastPathComponent().path)
        #expect(siblings == ["paper"])
        // The exported CSV matrix reads back as a square matrix with the same values.
        let matrixJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("matrices/jaccard.json"))) as? [String: Any]
        #expect(matrixJSON?["languages"] as? [String] == ["en", "et", "fi"])
        let table = try TransferTable.load(out.appendingPathComponent("matrices/jaccard.csv"))
        let rows = matrixJSON?["matrix"] as? [[Double]]
        // (Foundation's JSON number parsing may be off in the last digit, hence the tolerance.)
        #expect(close(table.value(source: "fi", target: "en"), rows?[0][2], tolerance: 1e-15))
        let svg = try String(contentsOf: out.appendingPathComponent("figures/heatmap-jaccard.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains(">fi</text>"))
    }
}
