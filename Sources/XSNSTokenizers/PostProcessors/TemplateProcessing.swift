import XSNSStorage
/// `TemplateProcessing`: the `single` template, e.g. `<s> $A </s>`, and the `pair` template, e.g.
/// `<s> $A </s> </s> $B </s>`; every piece carries a type id, and each special token of a template may
/// stand for several ids.
struct TemplateProcessing: PostProcessor {
    private enum Piece: Sendable {
        case sequence(Sequence, type: Int)
        case special(ids: [Int], tokens: [String], type: Int)
    }

    private enum Sequence: String, Sendable { case a = "A", b = "B" }

    private let single: [Piece]
    private let pair: [Piece]?

    init(_ fields: JSONFields) throws(InputError) {
        let specials = try fields.object("special_tokens")
        single = try Self.template(try fields.array("single"), path: fields.fieldPath("single"), specials: specials, pair: false)
        pair = try fields.optional("pair").map { value throws(InputError) -> [Piece] in
            guard case .array(let items) = value else { throw InputError("\(fields.fieldPath("pair")) must be an array") }
            let pieces = try Self.template(items, path: fields.fieldPath("pair"), specials: specials, pair: true)
            for which in [Sequence.a, .b] where !pieces.contains(where: { if case .sequence(which, _) = $0 { true } else { false } }) {
                throw InputError("\(fields.fieldPath("pair")): the pair template has no $\(which.rawValue)")
            }
            return pieces
        }
    }

    private static func template(_ items: [JSONValue], path: String, specials: JSONFields, pair: Bool) throws(InputError)
        -> [Piece]
    {
        var pieces: [Piece] = []
        for (index, item) in items.enumerated() {
            let piecePath = "\(path)[\(index)]"
            let piece = try JSONFields(item, path: piecePath)
            if let sequence = piece.optional("Sequence") {
                let fields = try JSONFields(sequence, path: piece.fieldPath("Sequence"))
                guard let which = Sequence(rawValue: try fields.string("id")), pair || which == .a else {
                    throw InputError("\(piecePath): the \(pair ? "pair" : "single") template can only hold sequence\(pair ? "s A and B" : " A")")
                }
                // Truncation budgets each sequence once; a template repeating one could exceed max length.
                guard !pieces.contains(where: { if case .sequence(which, _) = $0 { true } else { false } }) else {
                    throw InputError("\(piecePath): the template holds $\(which.rawValue) more than once")
                }
                pieces.append(.sequence(which, type: try typeId(fields)))
            } else if let special = piece.optional("SpecialToken") {
                let fields = try JSONFields(special, path: piece.fieldPath("SpecialToken"))
                let name = try fields.string("id")
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
                pieces.append(.special(ids: ids, tokens: tokens, type: try typeId(fields)))
            } else {
                throw InputError("\(piecePath) must be a Sequence or a SpecialToken")
            }
        }
        return pieces
    }

    private static func typeId(_ fields: JSONFields) throws(InputError) -> Int {
        guard let value = fields.optional("type_id") else { return 0 }
        guard let id = value.intValue, id >= 0 else { throw InputError("\(fields.fieldPath("type_id")) must be a non-negative integer") }
        return id
    }

    var addedTokenCount: Int { Self.specialCount(single) }
    var addedPairTokenCount: Int { pair.map(Self.specialCount) ?? 0 }

    private static func specialCount(_ pieces: [Piece]) -> Int {
        pieces.reduce(0) { count, piece in
            if case .special(let ids, _, _) = piece { return count + ids.count }
            return count
        }
    }

    func process(_ content: Encoding) -> Encoding {
        fill(single, a: content, b: nil)
    }

    /// Without a pair template, `tokenizers`' default `$A:0 $B:1`: the two sequences, no special token.
    func process(_ first: Encoding, pair second: Encoding) -> Encoding {
        guard let pair else { return first.typed(0).followed(by: second.typed(1)) }
        return fill(pair, a: first, b: second)
    }

    private func fill(_ template: [Piece], a: Encoding, b: Encoding?) -> Encoding {
        var result = Encoding(ids: [], tokens: [], typeIds: [])
        for piece in template {
            switch piece {
            case .sequence(let which, let type):
                guard let content = which == .a ? a : b else { continue }
                result = result.followed(by: content.typed(type))
            case .special(let ids, let tokens, let type):
                result = result.followed(by: Encoding(ids: ids, tokens: tokens).typed(type))
            }
        }
        // A single sequence keeps the nil (all zeros) form unless its template types say otherwise.
        if b == nil, result.typeIds?.allSatisfy({ $0 == 0 }) == true { result.typeIds = nil }
        return result
    }
}
