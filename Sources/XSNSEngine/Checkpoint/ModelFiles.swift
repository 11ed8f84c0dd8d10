import Foundation

/// The files of one checkpoint, found by `ModelResolver`.
public struct ModelFiles: Sendable {
    /// What the user typed (`xlm-roberta-base`, a path…), kept for messages and the session manifest.
    public let spec: String
    /// The folder holding the files (a snapshot folder for a hub id).
    public let directory: URL
    public let config: URL
    /// One file, or the shards listed by `model.safetensors.index.json` in their listed order.
    public let weights: [URL]
    /// `tokenizer.json` when the checkpoint has one.
    public let tokenizer: URL?

    public init(spec: String, directory: URL, config: URL, weights: [URL], tokenizer: URL?) {
        self.spec = spec
        self.directory = directory
        self.config = config
        self.weights = weights
        self.tokenizer = tokenizer
    }
}
