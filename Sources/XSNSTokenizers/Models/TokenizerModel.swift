import XSNSStorage
/// The model of a tokenizer.json: turns one pre-tokenized segment into tokens.
protocol TokenizerModel: Sendable {
    var typeName: String { get }
    var vocabularySize: Int { get }
    /// The id of a vocabulary entry, compared byte for byte.
    func id(of token: String) -> Int?
    func tokenize(_ text: String, ids: inout [Int], tokens: inout [String])
}

/// Builds the model described by a tokenizer.json object, keyed by its "type".
func makeModel(_ value: JSONValue, path: String) throws(InputError) -> any TokenizerModel {
    let fields = try JSONFields(value, path: path)
    // Old files omit "type"; the shape of "vocab" tells the two supported models apart.
    let type: String
    if let declared = try fields.optionalString("type") {
        type = declared
    } else if fields.optional("vocab")?.arrayValue != nil {
        type = "Unigram"
    } else if fields.optional("continuing_subword_prefix") != nil, fields.optional("merges") == nil {
        type = "WordPiece"
    } else {
        throw InputError("\(fields.fieldPath("type")) is missing")
    }
    switch type {
    case "Unigram": return try UnigramModel(fields)
    case "WordPiece": return try WordPieceModel(fields)
    default: throw InputError("\(path): unsupported model type \"\(type)\"")
    }
}
