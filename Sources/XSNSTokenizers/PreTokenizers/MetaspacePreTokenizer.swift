import XSNSStorage
/// `Metaspace` (SentencePiece style): spaces become the replacement ("▁"), which is prepended per
/// `prepend_scheme` and, with `split`, starts each new piece.
struct MetaspacePreTokenizer: PreTokenizer {
    enum PrependScheme: String, Sendable { case always, first, never }

    let replacement: Unicode.Scalar
    let prependScheme: PrependScheme
    let splits: Bool

    init(_ fields: JSONFields) throws(InputError) {
        let text = try fields.optionalString("replacement") ?? "▁"
        let scalars = Array(text.unicodeScalars)
        guard scalars.count == 1 else {
            throw InputError("\(fields.fieldPath("replacement")) must be a single character")
        }
        replacement = scalars[0]
        if let name = try fields.optionalString("prepend_scheme") {
            guard let scheme = PrependScheme(rawValue: name) else {
                throw InputError("\(fields.fieldPath("prepend_scheme")): unsupported scheme \"\(name)\"")
            }
            prependScheme = scheme
        } else {
            // Files written before prepend_scheme existed carry add_prefix_space instead.
            prependScheme = try fields.bool("add_prefix_space", default: true) ? .always : .never
        }
        splits = try fields.bool("split", default: true)
    }

    func split(_ segment: Segment) -> [Segment] {
        var scalars = String.UnicodeScalarView()
        for scalar in segment.text.unicodeScalars {
            scalars.append(scalar == " " ? replacement : scalar)
        }
        var lead = segment.lead
        let startsWithReplacement = scalars.first == replacement
        switch prependScheme {
        case .always where !startsWithReplacement,
             .first where !startsWithReplacement && segment.startsInput:
            scalars.insert(replacement, at: scalars.startIndex)
            // The prepended character is aligned with the first one, so it joins its lead.
            if lead > 0 { lead += 1 }
        default:
            break
        }
        let replaced = Segment(text: String(scalars), lead: lead)
        guard splits else { return [replaced] }
        return replaced.split(.mergedWithNext) { $0 == replacement }
    }
}
