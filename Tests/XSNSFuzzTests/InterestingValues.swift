/// Values that sit on the edges parsers get wrong: sign, 32/64-bit limits, the limits of Double,
/// non-numbers, and sizes whose products overflow. Shared by the byte, text and JSON mutators.
enum InterestingValues {
    static let numbers: [String] = [
        "0", "-0", "1", "-1", "2", "3", "7", "255", "256", "65535", "65536",
        "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967295", "4294967296",
        "16777216", "16777217", "1099511627776",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "18446744073709551615", "18446744073709551616", "99999999999999999999999999999",
        "1e308", "-1e308", "1e309", "1.7976931348623157e308", "4.9e-324", "1e-400", "0.5", "1.0", "-0.0",
        "1e2", "1E+2", "0x10", "NaN", "nan", "Infinity", "-Infinity", "inf", "1_000", "+1", "01", ".5", "5.",
    ]

    /// Byte lengths for the safetensors 8-byte header prefix, relative ones filled in by the caller.
    static let lengths: [UInt64] = [
        0, 1, 2, 7, 8, 1 << 31, (1 << 31) - 1, 1 << 32, 100_000_000, 100_000_001,
        UInt64(Int64.max), UInt64(Int64.max) + 1, UInt64.max, UInt64.max - 7,
    ]

    /// Invalid or awkward UTF-8: a lone continuation byte, truncated sequences, an overlong encoding,
    /// a UTF-16 surrogate, a code point above U+10FFFF, bytes that never occur, NUL, a BOM, CR.
    static let awkwardBytes: [[UInt8]] = [
        [0x80], [0xBF], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xC0, 0x80], [0xC1, 0xBF],
        [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFE], [0xFF],
        [0x00], [0xEF, 0xBB, 0xBF], [0x0D], [0x0A], [0x0D, 0x0A], [0x1B, 0x5B, 0x32, 0x4A],
        Array("e\u{301}".utf8), Array("\u{202E}".utf8), Array("\u{FEFF}".utf8),
    ]

    /// Structural characters of the text formats.
    static let tokens: [[UInt8]] = [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "\\ud800", "\\udc00\\ud800", "\\u00e9", "\\\"",
        "null", "true", "false", "[]", "{}", "\"\"", "\"\":", ",,", "\n", "\r", "\r\n", "\t", " ",
        "\"__metadata__\"", "\"dtype\"", "\"shape\"", "\"data_offsets\"",
    ].map { Array($0.utf8) }
}
