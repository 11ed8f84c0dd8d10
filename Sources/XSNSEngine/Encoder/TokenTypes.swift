import XSNSStorage

/// Sentence pairs: each token's type (BERT: 0 in the first segment, 1 in the second) selects its row of
/// the token type table; nil means row 0 everywhere.
extension EncoderModel {
    func validate(types: [Int32]?, of ids: [Int32]) throws {
        guard let types else { return }
        let available = max(1, config.typeVocabSize)
        guard types.count == ids.count else { throw InputError("\(types.count) token types for \(ids.count) tokens") }
        for type in types where type < 0 || Int(type) >= available {
            throw InputError("token type \(type) is outside the model's \(available) type(s)")
        }
    }

    /// `body` with the types as a buffer, or nil for none.
    static func withTypes<T>(_ types: [Int32]?, _ body: (UnsafeBufferPointer<Int32>?) -> T) -> T {
        guard let types else { return body(nil) }
        return types.withUnsafeBufferPointer { body($0) }
    }
}
