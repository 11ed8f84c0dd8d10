/// `StripAccents`: removes combining marks (expects decomposed input, as after `NFD`/`NFKD`).
///
/// Unlike BertNormalizer's accent stripping (nonspacing marks only), Hugging Face removes every mark here,
/// spacing vowel signs such as Devanagari "ी" included.
struct StripAccentsNormalizer: Normalizer {
    func normalize(_ text: String) -> String {
        var output = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where !HFUnicode.isCombiningMark(scalar) {
            output.append(scalar)
        }
        return String(output)
    }
}
