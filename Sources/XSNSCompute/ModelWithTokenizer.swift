import Foundation
import XSNSEngine
import XSNSStorage
import XSNSTokenizers

/// A model spec resolved and opened with its tokenizer, checked to fit each other: what every command
/// that runs the model on text starts from.
public struct ModelWithTokenizer: Sendable {
    public let files: ModelFiles
    public let checkpoint: Checkpoint
    public let tokenizer: Tokenizer
    public let tokenizerURL: URL
    public let maskTokenId: Int32

    public init(spec: String) throws {
        files = try ModelResolver.resolve(spec)
        guard let tokenizerURL = files.tokenizer else {
            throw InputError(file: files.directory.path, "no tokenizer.json beside the model")
        }
        self.tokenizerURL = tokenizerURL
        checkpoint = try Checkpoint(files)
        tokenizer = try Tokenizer(contentsOf: tokenizerURL)
        guard let maskId = tokenizer.maskTokenId else {
            throw InputError(file: tokenizerURL.path, "the tokenizer has no mask token")
        }
        maskTokenId = Int32(maskId)
        guard tokenizer.vocabularySize <= checkpoint.config.vocabSize else {
            throw InputError(file: tokenizerURL.path,
                             "the tokenizer has \(tokenizer.vocabularySize) tokens, the model only \(checkpoint.config.vocabSize)")
        }
    }

    /// Masking as the data collator does, with this tokenizer's mask token and special tokens.
    public func masking(probability: Double) -> MaskingPolicy {
        MaskingPolicy(probability: Float(probability), maskTokenId: maskTokenId, vocabularySize: tokenizer.vocabularySize,
                      specialTokenIds: Set(tokenizer.specialTokenIds.map { Int32($0) }))
    }

    /// The longest sequence (special tokens included) the model can embed.
    public var positionLimit: Int { checkpoint.config.positionLimit }
}
