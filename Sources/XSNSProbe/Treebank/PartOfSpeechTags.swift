/// The probe's label set: the 17 universal part-of-speech tags and `_`, in the order of the `upos`
/// feature of Hugging Face's `universal_dependencies` dataset (which the official code of 2403.20088
/// loads), so that label ids mean the same there and here.
public enum PartOfSpeechTags {
    public static let labels = ["NOUN", "PUNCT", "ADP", "NUM", "SYM", "SCONJ", "ADJ", "PART", "DET", "CCONJ", "PROPN",
                                "PRON", "X", "_", "ADV", "INTJ", "VERB", "AUX"]
    static let ids = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, Int32($0)) })

    /// The label id of a tag; nil for a tag outside the set.
    public static func id(_ tag: String) -> Int32? { ids[tag] }
}
