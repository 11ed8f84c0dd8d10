import XSNSStorage
/// `BertProcessing` and `RobertaProcessing`: `cls A sep` for one sequence. (They differ only for pairs and
/// offsets, neither of which this module produces.)
struct ClassifierProcessing: PostProcessor {
    let cls: (token: String, id: Int)
    let sep: (token: String, id: Int)

    init(_ fields: JSONFields) throws(InputError) {
        cls = try tokenIdPair(try fields.required("cls"), path: fields.fieldPath("cls"))
        sep = try tokenIdPair(try fields.required("sep"), path: fields.fieldPath("sep"))
    }

    var addedTokenCount: Int { 2 }

    func process(_ content: Encoding) -> Encoding {
        Encoding(ids: [cls.id] + content.ids + [sep.id], tokens: [cls.token] + content.tokens + [sep.token])
    }
}
