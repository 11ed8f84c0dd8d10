import XSNSStorage
/// `BertProcessing` and `RobertaProcessing`: `cls A sep` for one sequence; for a pair `cls A sep B sep`
/// with the second part's tokens of type 1 (BERT), or `cls A sep sep B sep` all of type 0 (RoBERTa, whose
/// models have one token type). (They differ in offsets too, which this module does not produce.)
struct ClassifierProcessing: PostProcessor {
    enum PairSeparator: Sendable { case single, double }

    let cls: (token: String, id: Int)
    let sep: (token: String, id: Int)
    let pairSeparator: PairSeparator

    init(_ fields: JSONFields, pairSeparator: PairSeparator) throws(InputError) {
        cls = try tokenIdPair(try fields.required("cls"), path: fields.fieldPath("cls"))
        sep = try tokenIdPair(try fields.required("sep"), path: fields.fieldPath("sep"))
        self.pairSeparator = pairSeparator
    }

    var addedTokenCount: Int { 2 }
    var addedPairTokenCount: Int { pairSeparator == .single ? 3 : 4 }

    func process(_ content: Encoding) -> Encoding {
        Encoding(ids: [cls.id] + content.ids + [sep.id], tokens: [cls.token] + content.tokens + [sep.token])
    }

    func process(_ first: Encoding, pair second: Encoding) -> Encoding {
        let separator = Encoding(ids: [sep.id], tokens: [sep.token])
        let head = process(first).typed(0)
        let tail = (pairSeparator == .double ? separator.followed(by: second) : second).followed(by: separator)
        return head.followed(by: tail.typed(pairSeparator == .single ? 1 : 0))
    }
}
