import Foundation
import XSNSSession
import XSNSStorage

/// Everything that determines `xsns probe-task` (thread count aside), kept in `probe/task/config.json`.
public struct ProbeTaskOptions: Codable, Equatable, Sendable {
    public var model: String
    public var treebanks: String
    public var languages: [String]
    public var epochs = 3
    public var learningRate = 5e-4
    public var batchSize = 32
    public var maxLength = 256
    public var seed: UInt64 = 1
    public var reduction = 16
    /// The share of the training sentences held out for validation.
    public var validationShare = 0.05

    enum CodingKeys: String, CodingKey {
        case model, treebanks, languages, epochs, learningRate = "lr", batchSize = "batch_size",
             maxLength = "max_length", seed, reduction, validationShare = "validation_share"
    }

    public init(model: String, treebanks: String, languages: [String]) {
        self.model = model
        self.treebanks = treebanks
        self.languages = languages
    }

    public func validate() throws {
        guard epochs >= 1 else { throw InputError("--epochs must be at least 1, got \(epochs)") }
        guard learningRate > 0, learningRate.isFinite else { throw InputError("--lr must be > 0, got \(learningRate)") }
        guard batchSize >= 1 else { throw InputError("--batch-size must be at least 1, got \(batchSize)") }
        guard maxLength >= 3 else { throw InputError("--max-length must be at least 3, got \(maxLength)") }
        guard reduction >= 1 else { throw InputError("the adapter's reduction factor must be at least 1, got \(reduction)") }
        guard validationShare > 0, validationShare < 0.5 else {
            throw InputError("the validation share must lie in (0, 0.5), got \(validationShare)")
        }
    }
}

/// `probe/task/config.json`: how the task adapter was trained and how well it tags held-out sentences.
public struct ProbeTaskRecord: Codable, Equatable, Sendable {
    public var options: ProbeTaskOptions
    public var labels: [String]
    public var trainSentences: Int
    public var validationSentences: Int
    public var steps: Int
    /// Validation accuracy after each epoch.
    public var validationAccuracy: [Double]

    enum CodingKeys: String, CodingKey {
        case options, labels, trainSentences = "train_sentences", validationSentences = "validation_sentences",
             steps, validationAccuracy = "validation_accuracy"
    }

    public static func load(_ paths: ProbePaths) throws -> ProbeTaskRecord {
        guard FileManager.default.fileExists(atPath: paths.taskConfig.path) else {
            throw InputError(file: paths.folder.deletingLastPathComponent().path,
                             "has no task adapter yet; run xsns probe-task first")
        }
        do {
            return try JSONDecoder().decodeScreened(ProbeTaskRecord.self, from: Data(contentsOf: paths.taskConfig))
        } catch {
            throw InputError(file: paths.taskConfig.path, "unreadable task record: \(error)")
        }
    }
}
