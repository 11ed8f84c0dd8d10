import XSNSCompute
import XSNSEngine
import XSNSStorage
import XSNSTokenizers

/// A tagged sentence as the tagger sees it (first-subword labelling, as the official code does): the
/// token ids with special tokens, and for each word that kept a token after truncation the position of
/// its first sub-word and its tag's label id (nil for a tag outside the label set: never predicted, so
/// counted wrong in evaluation).
public struct LabelledSentence: Sendable {
    public var inputIds: [Int32]
    public var positions: [Int]
    /// The word each position starts (an index into the sentence's words).
    public var words: [Int]
    public var labels: [Int32?]
    /// Words lost to truncation or to a tokenizer that gives them no token.
    public var droppedWords: Int

    /// Already tokenized and labelled (benchmarks, replays).
    public init(inputIds: [Int32], positions: [Int], labels: [Int32?]) {
        self.inputIds = inputIds
        self.positions = positions
        words = Array(positions.indices)
        self.labels = labels
        droppedWords = 0
    }

    public init(_ sentence: TaggedSentence, tokenizer: Tokenizer, maxLength: Int) {
        let (encoding, wordIndices) = tokenizer.encode(words: sentence.words, maxLength: maxLength)
        inputIds = encoding.ids.map { Int32($0) }
        positions = []
        words = []
        labels = []
        var previous: Int?
        for (position, word) in wordIndices.enumerated() {
            guard let word, word != previous else { continue }
            previous = word
            positions.append(position)
            words.append(word)
            labels.append(PartOfSpeechTags.id(sentence.tags[word]))
        }
        droppedWords = sentence.words.count - positions.count
    }

    /// For training: a label at each word's first sub-word, −100 everywhere else. Throws, naming the file
    /// and line, when a tag is outside the label set (training data must be clean).
    public func trainingSequence(of sentence: TaggedSentence) throws -> MaskedSequence {
        var sequenceLabels = [Int32](repeating: -100, count: inputIds.count)
        for (index, position) in positions.enumerated() {
            guard let label = labels[index] else {
                let word = words[index]
                throw InputError(file: sentence.file,
                                 "line \(sentence.lines[word]): UPOS '\(sentence.tags[word])' is not a UD tag")
            }
            sequenceLabels[position] = label
        }
        return MaskedSequence(inputIds: inputIds, labels: sequenceLabels)
    }
}
