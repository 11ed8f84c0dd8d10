/// `StripAccents`: removes nonspacing marks (expects decomposed input, as after `NFD`/`NFKD`).
struct StripAccentsNormalizer: Normalizer {
    func normalize(_ text: String) -> String {
        var output = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where !HFUnicode.isNonspacingMark(scalar) {
            output.append(scalar)
        }
        return String(output)
    }
}
