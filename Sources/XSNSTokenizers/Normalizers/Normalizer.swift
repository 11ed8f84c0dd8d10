import XSNSStorage
/// One normalizer of a tokenizer.json `normalizer` (possibly a `Sequence` of them).
///
/// Normalizers work on Unicode scalars, never on Swift `Character`s or `String` equality, because Hugging
/// Face compares and rewrites code points: canonical equivalence must not merge "é" with "e\u{301}".
protocol Normalizer: Sendable {
    func normalize(_ text: String) -> String
    /// Normalizes a segment and works out its new lead: how many leading scalars of the result come from
    /// the segment's lead (HF's alignments, as far as Metaspace's `prepend_scheme: first` needs them).
    func normalize(_ segment: Segment) -> Segment
}

extension Normalizer {
    /// For normalizers that rewrite each scalar (or a short run) on its own: the lead becomes whatever
    /// the lead scalars normalize to by themselves — nothing when they are removed.
    func normalize(_ segment: Segment) -> Segment {
        let output = normalize(segment.text)
        guard segment.lead > 0 else { return Segment(text: output, lead: 0) }
        var prefix = String.UnicodeScalarView()
        prefix.append(contentsOf: segment.text.unicodeScalars.prefix(segment.lead))
        let lead = normalize(String(prefix)).unicodeScalars.count
        return Segment(text: output, lead: min(lead, output.unicodeScalars.count))
    }
}

/// Builds the normalizer described by a tokenizer.json object, keyed by its "type".
func makeNormalizer(_ value: JSONValue, path: String) throws(InputError) -> any Normalizer {
    let fields = try JSONFields(value, path: path)
    let type = try fields.type()
    switch type {
    case "Sequence": return try SequenceNormalizer(fields)
    case "Precompiled": return try PrecompiledNormalizer(fields)
    case "BertNormalizer": return try BertNormalizer(fields)
    case "NFC": return UnicodeNormalizer(form: .nfc)
    case "NFD": return UnicodeNormalizer(form: .nfd)
    case "NFKC": return UnicodeNormalizer(form: .nfkc)
    case "NFKD": return UnicodeNormalizer(form: .nfkd)
    case "Lowercase": return LowercaseNormalizer()
    case "StripAccents": return StripAccentsNormalizer()
    case "Strip": return try StripNormalizer(fields)
    case "Replace": return try ReplaceNormalizer(fields)
    default: throw InputError("\(path): unsupported normalizer type \"\(type)\"")
    }
}
