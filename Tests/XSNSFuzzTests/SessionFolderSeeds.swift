import Foundation
import XSNSAnalysis
import XSNSEngine
import XSNSSession
import XSNSStorage
import XSNSTestSupport

/// Session folders as `xsns compute` leaves them, for the analysis commands to read: Fisher files
/// over the micro checkpoint's θ layout, LEX counts and EMB vectors, written with the project's own
/// writers into a scratch folder and collected as relative path → bytes.
enum SessionFolderSeeds {
    static let languages = ["et", "fi"]
    static let seeds = [16, 42]

    static func make() throws -> [FuzzFiles] {
        let config = try EncoderConfig(contentsOf: FuzzSeeds.microCheckpointConfig)
        let layout = CheckpointSchema(config).thetaLayout
        let scratch = try Fixtures.temporaryDirectory("xsns-fuzz-session-seed")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let paths = SessionPaths(folder: scratch)
        var random = FuzzRandom(seed: 2024)
        var files: FuzzFiles = ["session.json": Array(try SessionManifest(created: Date(timeIntervalSince1970: 0)).encoded())]
        for language in languages {
            for seed in seeds {
                let fisher = (0..<layout.totalCount).map { _ in Float.random(in: 0..<1, using: &random) }
                try write(FlatTensors(layout: layout, values: fisher), to: paths.fisher(language: language, seed: seed),
                          root: scratch, into: &files)
                let embedding = (0..<config.hiddenSize).map { _ in Float.random(in: -1..<1, using: &random) }
                try write(FlatTensors(layout: TensorLayout([("embedding", [config.hiddenSize])]), values: embedding),
                          to: paths.embedding(language: language, seed: seed), root: scratch, into: &files)
                let sketch = (0..<(5 * 16)).map { _ in Float.random(in: -1..<1, using: &random) }
                try write(FlatTensors(layout: TensorLayout([("sketch", [5, 16])]), values: sketch),
                          to: paths.sketch(language: language, seed: seed), root: scratch, into: &files)
            }
            files["pruning/\(language).json"] = Array(try JSONEncoder().encode(prunedHeads(language, config: config, random: &random)))
            let counts = (0..<6).map { id in "[\(id),\(1 + random.below(50))]" }.joined(separator: ",")
            files[relative(paths.lexicalCounts(language: language), to: scratch)] = Array(
                #"{"corpusSHA256":"00","counts":[\#(counts)],"language":"\#(language)","lines":3,"tokens":90}"#.utf8)
        }
        return [files]
    }

    /// A finished pruning record: every head on, then one off (accepted), then another (below keep).
    private static func prunedHeads(_ language: String, config: EncoderConfig, random: inout FuzzRandom) -> HeadPruningRecord {
        let settings = HeadPruningSettings(keep: 0.95, step: 0.1, normalise: true, objective: "mlm", sentences: 8,
                                           maskProbability: 0.15, batchSize: 4, maxLength: 16, seed: 1, model: "m", corpus: "c")
        var record = HeadPruningRecord(language: language, settings: settings, layers: config.numLayers, heads: config.numHeads)
        var mask = Array(repeating: Array(repeating: 1, count: config.numHeads), count: config.numLayers)
        for (step, correct) in [10, 10, 8].enumerated() {
            if step > 0 { mask[(step - 1) % config.numLayers][(step - 1) / config.numLayers % config.numHeads] = 0 }
            let importance = mask.map { $0.map { _ in Double(random.below(100)) / 100 } }
            record.steps.append(HeadPruningStep(mask: mask, correct: correct, predicted: 10, loss: 2, importance: importance,
                                                accepted: correct >= 10))
        }
        record.stop = HeadPruningRecord.StopReason.belowKeep.rawValue
        return record
    }

    private static func write(_ tensors: FlatTensors, to url: URL, root: URL, into files: inout FuzzFiles) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try SafeTensorsWriter.write(tensors, metadata: ["estimator": "exact"], to: url)
        files[relative(url, to: root)] = Array(try Data(contentsOf: url))
    }

    private static func relative(_ url: URL, to root: URL) -> String {
        String(url.path.dropFirst(root.path.count + 1))
    }
}
