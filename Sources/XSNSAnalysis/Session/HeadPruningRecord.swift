import Foundation
import XSNSStorage

/// `pruning/<lang>.json`, written by `xsns prune-heads` after every step (Michel et al. 2019 iterative head
/// pruning, as Choenni et al. use it for language sub-networks): the settings, and each step's mask,
/// masked-token accuracy and head importance. The language's sub-network is the last accepted step's mask.
public struct HeadPruningRecord: Codable, Equatable, Sendable {
    public static let formatName = "xsns-head-pruning"
    public static let currentVersion = 1

    public var format: String
    public var version: Int
    public var language: String
    public var settings: HeadPruningSettings
    public var layers: Int
    public var heads: Int
    /// Step 0 is the unpruned model; each later step switched off more heads.
    public var steps: [HeadPruningStep]
    /// Why pruning ended (`StopReason` raw values); nil while it has not.
    public var stop: String?

    public enum StopReason: String, Sendable {
        /// The last step fell below `keep` × the unpruned accuracy: its mask was not accepted.
        case belowKeep = "below-keep"
        /// Another step would have switched off every head.
        case oneStepFromNoHeads = "no-heads-left-to-prune"
    }

    public init(language: String, settings: HeadPruningSettings, layers: Int, heads: Int) {
        format = Self.formatName
        version = Self.currentVersion
        self.language = language
        self.settings = settings
        self.layers = layers
        self.heads = heads
        steps = []
    }

    public var finished: Bool { stop != nil }

    /// The mask of the last accepted step (every head before the first step).
    public var subnetwork: HeadMask {
        let mask = steps.last(where: \.accepted)?.mask ?? Array(repeating: Array(repeating: 1, count: heads), count: layers)
        return HeadMask(mask.map { $0.map { $0 != 0 } })
    }

    /// Reads and checks one file: one clear error naming it for anything that is not a whole record.
    public static func load(_ url: URL) throws -> HeadPruningRecord {
        let record: HeadPruningRecord
        do {
            record = try JSONDecoder().decodeScreened(HeadPruningRecord.self, from: Data(contentsOf: url))
        } catch {
            throw InputError(file: url.path, "is not a head-pruning record of xsns")
        }
        guard record.format == formatName else { throw InputError(file: url.path, "is not a head-pruning record of xsns") }
        guard record.version <= currentVersion else {
            throw InputError(file: url.path, "has format version \(record.version); this xsns reads up to \(currentVersion)")
        }
        guard url.lastPathComponent == "\(record.language).json" else {
            throw InputError(file: url.path, "names language '\(record.language)', not its file name's")
        }
        let shapeOK = (1...4096).contains(record.layers) && (1...4096).contains(record.heads) && record.steps.allSatisfy { step in
            step.mask.count == record.layers && step.mask.allSatisfy { $0.count == record.heads }
                && step.importance.count == record.layers && step.importance.allSatisfy { $0.count == record.heads }
        }
        guard shapeOK else { throw InputError(file: url.path, "has a step whose mask or importance is not \(record.layers)×\(record.heads)") }
        return record
    }

    public static func url(session: URL, language: String) -> URL {
        session.appendingPathComponent("pruning/\(language).json")
    }

    /// Every `pruning/<lang>.json` of a session, by language (none: empty), all of one shape.
    public static func all(session: URL) throws -> [String: HeadPruningRecord] {
        let folder = session.appendingPathComponent("pruning")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [:] }
        var records: [String: HeadPruningRecord] = [:]
        var shape: (layers: Int, heads: Int)?
        for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let url = folder.appendingPathComponent(name)
            let record = try load(url)
            if let shape, shape != (record.layers, record.heads) {
                throw InputError(file: url.path, "prunes \(record.layers) × \(record.heads) heads, the other languages \(shape.layers) × \(shape.heads)")
            }
            shape = (record.layers, record.heads)
            records[record.language] = record
        }
        return records
    }
}

/// Everything that decides a pruning run's steps; a resumed run must have the same.
public struct HeadPruningSettings: Codable, Equatable, Sendable {
    /// Pruning stops before accuracy falls below `keep` × the unpruned model's.
    public var keep: Double
    /// Each step switches off this fraction of the heads still on (rounded down, at least one).
    public var step: Double
    /// Importance divided by its layer's L2 norm before heads are compared (Michel et al.'s default).
    public var normalise: Bool
    /// `mlm`: masked-token accuracy on held-out sentences of the language's corpus; `task`: the probe's
    /// tagging accuracy on the language's dev treebank.
    public var objective: String
    public var sentences: Int
    public var maskProbability: Double
    public var batchSize: Int
    public var maxLength: Int
    public var seed: Int
    /// SHA-256 of the model's weights and of the sentences' source: the corpus file (`mlm`), or the dev
    /// treebanks (`task`).
    public var model: String
    public var corpus: String
    /// `task`: SHA-256 of the probe task's `adapter.safetensors`.
    public var task: String?
    /// `mlm`: the Fisher runs whose sentences are not held out (the session's seeds and sentence count when
    /// pruning began), so the held-out set stays the same when the session gains seeds.
    public var fisherSeeds: [Int]?
    public var fisherSentences: Int?

    public init(keep: Double, step: Double, normalise: Bool, objective: String, sentences: Int, maskProbability: Double,
                batchSize: Int, maxLength: Int, seed: Int, model: String, corpus: String) {
        self.keep = keep
        self.step = step
        self.normalise = normalise
        self.objective = objective
        self.sentences = sentences
        self.maskProbability = maskProbability
        self.batchSize = batchSize
        self.maxLength = maxLength
        self.seed = seed
        self.model = model
        self.corpus = corpus
    }
}

public struct HeadPruningStep: Codable, Equatable, Sendable {
    /// Heads still on.
    public var heads: Int
    /// [layers][heads], 1 = on.
    public var mask: [[Int]]
    public var correct: Int
    public var predicted: Int
    public var accuracy: Double
    /// Mean cross-entropy over the predicted tokens.
    public var loss: Double
    /// Σ over evaluation batches of |∂loss_b/∂ξ_h| at this mask, before any normalisation.
    public var importance: [[Double]]
    /// Whether accuracy stayed at or above keep × the unpruned accuracy (step 0: always).
    public var accepted: Bool

    public init(mask: [[Int]], correct: Int, predicted: Int, loss: Double, importance: [[Double]], accepted: Bool) {
        heads = mask.reduce(0) { $0 + $1.reduce(0, +) }
        self.mask = mask
        self.correct = correct
        self.predicted = predicted
        accuracy = predicted == 0 ? 0 : Double(correct) / Double(predicted)
        self.loss = loss
        self.importance = importance
        self.accepted = accepted
    }
}
