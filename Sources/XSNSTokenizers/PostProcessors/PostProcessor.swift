import XSNSStorage
/// A tokenizer.json `post_processor`: adds the special tokens around a single sequence or a pair.
protocol PostProcessor: Sendable {
    /// How many tokens `process` adds to a single sequence (truncation leaves room for them).
    var addedTokenCount: Int { get }
    func process(_ content: Encoding) -> Encoding
    /// How many tokens `process(_:pair:)` adds to a pair.
    var addedPairTokenCount: Int { get }
    /// Both sequences with their special tokens and type ids.
    func process(_ first: Encoding, pair second: Encoding) -> Encoding
}

/// Builds the post-processor described by a tokenizer.json object, keyed by its "type".
func makePostProcessor(_ value: JSONValue, path: String) throws(InputError) -> any PostProcessor {
    let fields = try JSONFields(value, path: path)
    let type = try fields.type()
    switch type {
    case "RobertaProcessing": return try ClassifierProcessing(fields, pairSeparator: .double)
    case "BertProcessing": return try ClassifierProcessing(fields, pairSeparator: .single)
    case "TemplateProcessing": return try TemplateProcessing(fields)
    default: throw InputError("\(path): unsupported post-processor type \"\(type)\"")
    }
}
