import XSNSStorage
/// `TemplateProcessing`: the `single` template, e.g. `<s> $A </s>`; each special token of the template
/// may stand for several ids.
struct TemplateProcessing: PostProcessor {
    private enum Piece: Sendable {
        case sequence
        case special(ids: [Int], tokens: [String])
    }

    private let single: [Piece]

    init(_ fields: JSONFields) throws(InputError) {
        let specials = try fields.object("special_tokens")
        var pieces: [Piece] = []
        for (index, item) in try fields.array("single").enumerated() {
            let piecePath = "\(fields.fieldPath("single"))[\(index)]"
            let piece = try JSONFields(item, path: piecePath)
            if let sequence = piece.optional("Sequence") {
                let id = try JSONFields(sequence, path: piece.fieldPath("Sequence")).string("id")
                guard id == "A" else {
                    throw InputError("\(piecePath): the single template can only hold sequence A")
                }
                // Truncation budgets the content once; a template repeating it could exceed max length.
                guard !pieces.contains(where: { if case .sequence = $0 { true } else { false } }) else {
                    throw InputError("\(piecePath): the single template holds $A more than once")
                }
                pieces.append(.sequence)
            } else if let special = piece.optional("SpecialToken") {
                let name = try JSONFields(special, path: piece.fieldPath("SpecialToken")).string("id")
                guard let definition = specials.optional(name) else {
                    throw InputError("\(piecePath): special token \"\(name)\" is not in special_tokens")
                }
                let entry = try JSONFields(definition, path: specials.fieldPath(name))
                let ids = try entry.array("ids").map { value throws(InputError) -> Int in
                    guard let id = value.intValue, id >= 0 else {
                        throw InputError("\(entry.fieldPath("ids")) must hold non-negative integers")
                    }
                    return id
                }
                let tokens = try entry.array("tokens").compactMap(\.stringValue)
                guard tokens.count == ids.count else {
                    throw InputError("\(entry.path): ids and tokens differ in length")
                }
                pieces.append(.special(ids: ids, tokens: tokens))
            } else {
                throw InputError("\(piecePath) must be a Sequence or a SpecialToken")
            }
        }
        single = pieces
    }

    var addedTokenCount: Int {
        single.reduce(0) { count, piece in
            if case .special(let ids, _) = piece { return count + ids.count }
            return count
        }
    }

    func process(_ content: Encoding) -> Encoding {
        var result = Encoding(ids: [], tokens: [])
        for piece in single {
            switch piece {
            case .sequence:
                result.ids += content.ids
                result.tokens += content.tokens
            case .special(let ids, let tokens):
                result.ids += ids
                result.tokens += tokens
            }
        }
        return result
    }
}
