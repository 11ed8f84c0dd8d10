import XSNSStorage
/// `Punctuation`: splits at punctuation scalars with the configured behavior (default isolated).
struct PunctuationPreTokenizer: PreTokenizer {
    let behavior: DelimiterBehavior

    init(_ fields: JSONFields) throws(InputError) {
        let name = try fields.optionalString("behavior") ?? DelimiterBehavior.isolated.rawValue
        guard let behavior = DelimiterBehavior(rawValue: name) else {
            throw InputError("\(fields.fieldPath("behavior")): unsupported behavior \"\(name)\"")
        }
        self.behavior = behavior
    }

    func split(_ segment: Segment) -> [Segment] {
        segment.split(behavior, where: HFUnicode.isPunctuation)
    }
}
