/// The character classes Hugging Face tokenizers use, as it computes them.
///
/// Its Bert components take general categories from the `unicode_categories` crate, whose tables stop at
/// Unicode 8.0: a scalar assigned later is "unassigned" there (neither control, mark nor punctuation).
/// Swift's tables are newer, so a category only counts for scalars assigned by Unicode 8.0, and the few
/// scalars whose category changed since are given their Unicode 8.0 category.
/// `Tests/Fixtures/tokenizers/unicode.json` (from the generator) checks this against HF for every scalar.
enum HFUnicode {
    /// Rust's `char::is_whitespace`: the White_Space property.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        // ASCII first: property lookups dominate tokenizing Latin-script text otherwise.
        if scalar.isASCII { return scalar == " " || (0x09...0x0D).contains(scalar.value) }
        return scalar.properties.isWhitespace
    }

    /// BertNormalizer's control test (categories Cc, Cf, Co, Cs), tab, newline and CR excepted.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        case 0x00..<0x20, 0x7F: return true
        case 0x20..<0x7F: return false
        default: break
        }
        switch unicode8Category(scalar) {
        case .control, .format, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// Category Mn, as BertNormalizer's accent stripping removes it.
    static func isNonspacingMark(_ scalar: Unicode.Scalar) -> Bool {
        !scalar.isASCII && unicode8Category(scalar) == .nonspacingMark
    }

    /// The `StripAccents` normalizer's test: any mark (Mn, Mc, Me), from the Unicode 9.0 tables of HF's
    /// normalization crate.
    static func isCombiningMark(_ scalar: Unicode.Scalar) -> Bool {
        guard !scalar.isASCII else { return false }
        switch category(scalar, asOfVersion: 9) {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// BertPreTokenizer's and Punctuation's test: ASCII punctuation or a Unicode punctuation category.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            switch scalar.value {
            case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return true
            default: return false
            }
        }
        switch unicode8Category(scalar) {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// BertNormalizer's CJK test: the CJK Unified Ideographs blocks and compatibility ideographs.
    static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// Regex `\w` as Rust's regex crate defines it: Alphabetic, marks, decimal digits, connector
    /// punctuation and the joiners (ZWNJ, ZWJ), from its Unicode 16.0 tables.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            switch scalar.value {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F: return true
            default: return false
            }
        }
        guard let age = scalar.properties.age, age.major <= 16 else { return false }
        if scalar.value == 0x200C || scalar.value == 0x200D || scalar.properties.isAlphabetic { return true }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
            return true
        default:
            return false
        }
    }

    private static func unicode8Category(_ scalar: Unicode.Scalar) -> Unicode.GeneralCategory? {
        category(scalar, asOfVersion: 8)
    }

    /// The general category as Unicode `version`.0 had it (8 or 9), or nil for scalars assigned later.
    private static func category(_ scalar: Unicode.Scalar, asOfVersion version: Int) -> Unicode.GeneralCategory? {
        guard let age = scalar.properties.age else {
            return scalar.properties.generalCategory == .surrogate ? .surrogate : nil
        }
        guard age.major < version || (age.major == version && age.minor == 0) else { return nil }
        return changedCategory(scalar.value, asOfVersion: version) ?? scalar.properties.generalCategory
    }

    /// The few scalars whose category in Unicode 8.0/9.0 differs from Swift's tables (a switch rather than
    /// a dictionary: this runs for every non-ASCII scalar).
    private static func changedCategory(_ value: UInt32, asOfVersion version: Int) -> Unicode.GeneralCategory? {
        switch value {
        case 0x1885, 0x1886: return version < 9 ? .otherLetter : nil  // MONGOLIAN ALI GALI BALUDA: Mn since 9.0
        case 0x166D: return .otherPunctuation  // CANADIAN SYLLABICS CHI SIGN: So since 12.0
        case 0x111C9: return .otherPunctuation  // SHARADA SANDHI MARK: Mn since 12.0
        case 0x1CF2, 0x1CF3: return .spacingMark  // VEDIC SIGN (ROTATED) ARDHAVISARGA: Lo since 10.0
        case 0x1734, 0x1171E: return .nonspacingMark  // HANUNOO PAMUDPOD, AHOM MEDIAL RA: Mc since 14.0
        case 0xA9BD, 0x1112E, 0x1112F: return .spacingMark  // JAVANESE KERET, CHAKMA O/AU: Mn since 11.0/12.0
        default: return nil
        }
    }
}
