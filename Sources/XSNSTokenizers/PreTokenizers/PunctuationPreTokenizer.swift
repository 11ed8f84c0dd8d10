/// `Punctuation`: splits at punctuation scalars with the configured behavior (default isolated).
struct PunctuationPreTokenizer: PreTokenizer {
    let behavior: DelimiterBehavior

    init(_ fields: JSONFields) throws(TokenizerInputError) {
        let name = try fields.optionalString("behavior") ?? DelimiterBehavior.isolated.rawValue
        guard let behavior = DelimiterBehavior(rawValue: name) else {
            throw TokenizerInputError("\(fields.fieldPath("behavior")): unsupported behavior \"\(name)\"")
        }
        self.behavior = behavior
    }

    func split(_ segment: Segment) -> [Segment] {
        segment.split(behavior, where: HFUnicode.isPunctuation)
    }
}
