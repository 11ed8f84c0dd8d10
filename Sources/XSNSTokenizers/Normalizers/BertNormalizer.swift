import XSNSStorage
/// `BertNormalizer`, as mBERT uses it: clean control characters, space out CJK ideographs, strip accents
/// (when `strip_accents` is null it follows `lowercase`), lowercase — in that order.
struct BertNormalizer: Normalizer {
    let cleanText: Bool
    let handleChineseChars: Bool
    let stripAccents: Bool
    let lowercase: Bool

    init(_ fields: JSONFields) throws(InputError) {
        cleanText = try fields.bool("clean_text", default: true)
        handleChineseChars = try fields.bool("handle_chinese_chars", default: true)
        lowercase = try fields.bool("lowercase", default: true)
        stripAccents = try fields.optionalBool("strip_accents") ?? lowercase
    }

    func normalize(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if cleanText {
                if scalar.value == 0 || scalar.value == 0xFFFD || HFUnicode.isControl(scalar) { continue }
                if scalar.value == 0x09 || scalar.value == 0x0A || scalar.value == 0x0D
                    || HFUnicode.isWhitespace(scalar) {
                    scalars.append(" ")
                    continue
                }
            }
            if handleChineseChars, HFUnicode.isChineseCharacter(scalar) {
                scalars.append(" ")
                scalars.append(scalar)
                scalars.append(" ")
                continue
            }
            scalars.append(scalar)
        }
        var result = String(scalars)
        if stripAccents {
            var kept = String.UnicodeScalarView()
            for scalar in UnicodeNormalizer(form: .nfd).normalize(result).unicodeScalars
            where !HFUnicode.isNonspacingMark(scalar) {
                kept.append(scalar)
            }
            result = String(kept)
        }
        if lowercase {
            result = lowercaseScalars(result)
        }
        return result
    }
}
