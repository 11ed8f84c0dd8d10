import Foundation
import XSNSStorage

/// Everything that determines a probe's transfer runs (thread count aside), kept in
/// `probe/runs/options.json`: runs of other options cannot be mixed into one table.
public struct ProbeOptions: Codable, Equatable, Sendable {
    /// How the transfer language's text becomes training sequences.
    public enum Packing: String, Codable, CaseIterable, Sendable {
        /// As the official code (`run_mlm.py`'s `group_texts`): lines tokenized with their special tokens,
        /// concatenated and cut into blocks of `blockLength` tokens.
        case blocks
        /// One line per sequence (truncated to `blockLength`), as `xsns train-mlm`.
        case lines
    }

    public var corpora: String
    public var treebanks: String
    public var transfer: [String]
    public var targets: [String]
    public var steps = [1, 10, 100]
    public var runs = 3
    public var batchSize = 8
    public var learningRate = 5e-5
    public var maskProbability = 0.15
    public var packing = Packing.blocks
    /// Tokens per block (or the longest line); capped by what the model can embed.
    public var blockLength = 512
    public var recordInputs = false
    /// SHA-256 of the task adapter the runs were measured with (set by the job): runs of another
    /// adapter are not comparable.
    public var task: String?

    enum CodingKeys: String, CodingKey {
        case corpora, treebanks, transfer, targets, steps, runs, batchSize = "batch_size", learningRate = "lr",
             maskProbability = "mask_prob", packing, blockLength = "block_length", recordInputs = "record_inputs", task
    }

    /// Folders are kept as absolute paths, so the same folder named from elsewhere is the same option.
    public init(corpora: String, treebanks: String, transfer: [String], targets: [String]) {
        self.corpora = URL(fileURLWithPath: corpora).standardizedFileURL.path
        self.treebanks = URL(fileURLWithPath: treebanks).standardizedFileURL.path
        self.transfer = transfer
        self.targets = targets
    }

    public func validate() throws {
        guard !transfer.isEmpty else { throw InputError("--transfer names no language") }
        guard !targets.isEmpty else { throw InputError("--targets names no language") }
        guard !steps.isEmpty, steps.allSatisfy({ $0 >= 1 }) else {
            throw InputError("--steps must list step counts ≥ 1, got \(steps.map(String.init).joined(separator: ","))")
        }
        guard runs >= 1 else { throw InputError("--runs must be at least 1, got \(runs)") }
        guard batchSize >= 1 else { throw InputError("--batch-size must be at least 1, got \(batchSize)") }
        guard learningRate > 0, learningRate.isFinite else { throw InputError("--lr must be > 0, got \(learningRate)") }
        guard maskProbability > 0, maskProbability <= 1 else {
            throw InputError("--mask-prob must be in (0, 1], got \(maskProbability)")
        }
        guard blockLength >= 3 else { throw InputError("--block-length must be at least 3, got \(blockLength)") }
    }

    /// What must match between runs of one table: all but the language lists, which may grow.
    func sameRuns(as other: ProbeOptions) -> Bool {
        var a = self, b = other
        (a.transfer, a.targets, a.steps, a.runs, a.recordInputs) = ([], [], [], 0, false)
        (b.transfer, b.targets, b.steps, b.runs, b.recordInputs) = ([], [], [], 0, false)
        return a == b
    }
}

/// One transfer run, `probe/runs/<s>.N<steps>.r<run>.json`.
public struct ProbeRunRecord: Codable, Equatable, Sendable {
    public var transfer: String
    public var steps: Int
    public var run: Int
    /// The masked-LM loss of each step (nil: the batch predicted no token).
    public var losses: [Double?]
    /// Target → accuracy after the fine-tune.
    public var accuracy: [String: TaggingAccuracy]
}

/// `probe/original.json`: target → accuracy of the unchanged model with the task adapter.
public typealias OriginalAccuracy = [String: TaggingAccuracy]
