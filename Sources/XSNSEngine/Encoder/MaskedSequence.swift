/// One sentence as the model sees it: input ids (after masking) and the label of every position,
/// −100 where nothing is predicted (Hugging Face's convention).
public struct MaskedSequence: Codable, Equatable, Sendable {
    public static let ignoredLabel: Int32 = -100

    public var inputIds: [Int32]
    public var labels: [Int32]

    public init(inputIds: [Int32], labels: [Int32]) {
        precondition(inputIds.count == labels.count, "one label per input id")
        self.inputIds = inputIds
        self.labels = labels
    }

    public var predictedCount: Int { labels.reduce(0) { $0 + ($1 == Self.ignoredLabel ? 0 : 1) } }
}
