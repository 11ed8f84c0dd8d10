/// Masked-LM input corruption as Hugging Face's `DataCollatorForLanguageModeling`: each non-special
/// token is selected with `probability`; a selected token becomes the mask token (80%), a uniformly random
/// id in [0, vocabularySize) (10%) or stays unchanged (10%), and only selected tokens carry a label.
///
/// The draws come from `SeededRandom`, not torch's generator: the same seed gives the same masks here on
/// every run and platform, but not the masks PyTorch would draw (record the inputs to replay them).
public struct MaskingPolicy: Codable, Equatable, Sendable {
    public var probability: Float
    public var maskTokenId: Int32
    public var vocabularySize: Int
    /// Never selected. Hugging Face's list (`all_special_ids`) includes the unknown token too.
    public var specialTokenIds: Set<Int32>

    public init(probability: Float = 0.15, maskTokenId: Int32, vocabularySize: Int, specialTokenIds: Set<Int32>) {
        self.probability = probability
        self.maskTokenId = maskTokenId
        self.vocabularySize = vocabularySize
        self.specialTokenIds = specialTokenIds
    }

    /// Two draws per non-special token (selection, then the 80/10/10 choice when selected) plus one for a
    /// random replacement id, in token order.
    public func mask(_ ids: [Int32], random: inout SeededRandom) -> MaskedSequence {
        var inputs = ids
        var labels = [Int32](repeating: MaskedSequence.ignoredLabel, count: ids.count)
        for (t, id) in ids.enumerated() where !specialTokenIds.contains(id) {
            guard random.nextUnit() < probability else { continue }
            labels[t] = id
            let choice = random.nextUnit()
            if choice < 0.8 {
                inputs[t] = maskTokenId
            } else if choice < 0.9 {
                inputs[t] = Int32(random.nextInt(below: vocabularySize))
            }
        }
        return MaskedSequence(inputIds: inputs, labels: labels)
    }
}
