import XSNSEngine
import XSNSTraining

/// Part-of-speech accuracy over the words a tagger sees (one prediction per word, at its first sub-word;
/// dropout off). A word whose gold tag is outside the label set counts as wrong and is reported.
public struct TaggingAccuracy: Codable, Equatable, Sendable {
    public var correct = 0
    public var words = 0
    /// Words whose tag is outside the label set (counted wrong).
    public var unknownTags = 0
    /// Words lost to truncation (not counted).
    public var droppedWords = 0

    public var accuracy: Double { words == 0 ? 0 : Double(correct) / Double(words) }

    enum CodingKeys: String, CodingKey {
        case correct, words, unknownTags = "unknown_tags", droppedWords = "dropped_words"
    }

    public init() {}

    /// Tags `sentences` in batches of `batchSize` and counts.
    public init(sentences: [LabelledSentence], model: EncoderModel, head: TokenClassificationHead, batchSize: Int = 32)
        throws
    {
        for start in stride(from: 0, to: sentences.count, by: batchSize) {
            let batch = sentences[start..<min(start + batchSize, sentences.count)]
            let predictions = try TaggingTrainer.predict(batch.map(\.inputIds), model: model, head: head)
            for (sentence, predicted) in zip(batch, predictions) {
                droppedWords += sentence.droppedWords
                for (position, label) in zip(sentence.positions, sentence.labels) {
                    words += 1
                    if let label {
                        if predicted[position] == label { correct += 1 }
                    } else {
                        unknownTags += 1
                    }
                }
            }
        }
    }
}
