import Foundation
import XSNSAnalysis
import XSNSCompute
import XSNSEngine
import XSNSSession
import XSNSStorage
import XSNSTokenizers

/// The readers of hostile files and what each campaign does with a parsed input: not only open it
/// but use it the way the workbench does next (read every tensor, load the encoder, evaluate a
/// table), so a header that parses but lies is caught where it would hurt.
enum FuzzTargets {
    static func all() throws -> [FuzzTarget] {
        [
            try safeTensors(), try config(), try checkpoint(), try tokenizer(), try transferTable(), columns(),
            try corpus(), try session(), try sessionAnalysis(),
        ]
    }

    /// Seeds that are single files, stored under `name`.
    private static func single(_ name: String, _ seeds: [[UInt8]]) -> [FuzzFiles] {
        seeds.map { [name: $0] }
    }

    static func safeTensors() throws -> FuzzTarget {
        FuzzTarget("safetensors", seeds: single("input.safetensors", try FuzzSeeds.safeTensors())) { folder in
            let file = try SafeTensorsFile(url: folder.appendingPathComponent("input.safetensors"))
            for tensor in file.tensors {
                try require(file.info(tensor.name) == tensor, "info(name) differs from the listed tensor")
                guard ["F32", "F16", "BF16", "F64"].contains(tensor.dtype) else { continue }
                let values = try file.floats(tensor.name)
                try require(values.count == tensor.elementCount, "floats() count differs from the shape")
            }
        }
    }

    static func config() throws -> FuzzTarget {
        FuzzTarget("config", seeds: single("config.json", try FuzzSeeds.configs())) { folder in
            let config = try EncoderConfig(contentsOf: folder.appendingPathComponent("config.json"))
            try require(config.headDim * config.numHeads == config.hiddenSize, "head size does not divide the hidden size")
        }
    }

    /// A whole checkpoint folder: config.json, weights (single or sharded with their index) and
    /// tokenizer.json, resolved, validated, summarised (as `xsns inspect`) and loaded into the encoder.
    static func checkpoint() throws -> FuzzTarget {
        let seeds = try FuzzSeeds.microCheckpoints.map(FuzzSeeds.folder)
        return FuzzTarget("checkpoint", seeds: seeds) { folder in
            let checkpoint = try Checkpoint.open(folder.path, environment: [:])
            _ = try CheckpointSummary(checkpoint).report
            _ = try EncoderParameters(checkpoint: checkpoint)
        }
    }

    /// `tokenizer.json`, loaded and then used on texts that reach every stage of the pipeline.
    static func tokenizer() throws -> FuzzTarget {
        FuzzTarget("tokenizer", seeds: single("tokenizer.json", try FuzzSeeds.tokenizers())) { folder in
            let tokenizer = try Tokenizer(contentsOf: folder.appendingPathComponent("tokenizer.json"))
            let vocabulary = 0..<tokenizer.vocabularySize
            for text in FuzzSeeds.texts {
                let encoding = tokenizer.encode(text)
                try require(encoding.ids.count == encoding.tokens.count, "ids and tokens differ in number")
                try require(encoding.ids.allSatisfy(vocabulary.contains), "an id outside 0..<vocabularySize")
                let cut = tokenizer.encode(text, maxLength: 5)
                try require(cut.ids.count <= max(5, tokenizer.addedTokenCount), "maxLength not respected")
            }
        }
    }

    /// A session folder as the analysis commands read it (`matrix`, `rank`, `layers`, `eval`): Fisher
    /// files, LEX counts and EMB vectors, every similarity choice and the per-layer view.
    static func sessionAnalysis() throws -> FuzzTarget {
        FuzzTarget("session-analysis", seeds: try SessionFolderSeeds.make()) { folder in
            let analysis = try SessionAnalysis(session: folder.path, in: folder)
            for choice in SimilarityChoice.allCases { _ = try analysis.matrices(choice, p: 0.15) }
            _ = try analysis.layers(SessionFolderSeeds.languages[0], SessionFolderSeeds.languages[1], p: 0.5)
        }
    }

    /// Gold and score tables, read as `xsns eval` does, then evaluated against themselves.
    static func transferTable() throws -> FuzzTarget {
        FuzzTarget("transfer-table", seeds: single("table.csv", try FuzzSeeds.csvTables())) { folder in
            let url = folder.appendingPathComponent("table.csv")
            let table = try TransferTable.load(url)
            _ = table.pairs
            // Evaluating needs two candidates per target, which many valid tables lack: that refusal
            // is about the pair of tables, not this file.
            _ = try? TransferEvaluation(predictions: table, gold: table)
        }
    }

    /// `--columns` is a command-line value, not a file: its errors name no file.
    static func columns() -> FuzzTarget {
        FuzzTarget("columns", seeds: single("columns.txt", FuzzSeeds.columnSpecifications)) { folder in
            let text = String(decoding: try Data(contentsOf: folder.appendingPathComponent("columns.txt")), as: UTF8.self)
            do { _ = try TransferColumns(parsing: text) } catch var error as InputError where error.file == nil {
                error.file = folder.appendingPathComponent("columns.txt").path
                throw error
            }
        }
    }

    static func corpus() throws -> FuzzTarget {
        FuzzTarget("corpus", seeds: single("xx.txt", try FuzzSeeds.corpora())) { folder in
            let corpus = try Corpus.load(folder.appendingPathComponent("xx.txt"))
            try require(corpus.sampleIndices(count: 3, seed: 42).count == min(3, corpus.lines.count), "sample size wrong")
        }
    }

    /// `session.json` through the store; whatever loads must survive a write and re-read unchanged.
    static func session() throws -> FuzzTarget {
        FuzzTarget("session", seeds: single("session.json", try FuzzSeeds.sessionManifests())) { folder in
            let manifest = try SessionStore.open(folder: folder).load()
            _ = manifest.languages
            _ = manifest.changes(model: nil, tokenizer: nil, corpora: CorporaRecord(directory: "", files: [:]))
            let reread = try SessionManifest.decode(manifest.encoded(), file: "re-encoded session.json")
            try require(reread == manifest, "a loaded manifest changes when written and read back")
        }
    }
}

/// A property of a parsed input that does not hold; reported as a finding like an unexpected error.
struct BrokenProperty: Error, CustomStringConvertible {
    let description: String
}

func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    guard condition else { throw BrokenProperty(description: message()) }
}
