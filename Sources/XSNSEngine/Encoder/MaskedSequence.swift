/// One sentence as the model sees it: input ids (after masking) and the label of every position,
/// −100 where nothing is predicted (Hugging Face's convention), and for a sentence pair each position's
/// token type (BERT: 1 in the second segment).
public struct MaskedSequence: Codable, Equatable, Sendable {
    public static let ignoredLabel: Int32 = -100

    public var inputIds: [Int32]
    public var labels: [Int32]
    /// nil: type 0 everywhere (a single sentence, or a model with one token type).
    public var typeIds: [Int32]?

    public init(inputIds: [Int32], labels: [Int32], typeIds: [Int32]? = nil) {
        precondition(inputIds.count == labels.count, "one label per input id")
        precondition(typeIds.map { $0.count == inputIds.count } ?? true, "one type per input id")
        self.inputIds = inputIds
        self.labels = labels
        self.typeIds = typeIds
    }

    public var predictedCount: Int { labels.reduce(0) { $0 + ($1 == Self.ignoredLabel ? 0 : 1) } }
}
