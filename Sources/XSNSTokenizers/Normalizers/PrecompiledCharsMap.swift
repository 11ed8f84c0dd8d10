import XSNSStorage
/// SentencePiece's compiled normalization rules (`precompiled_charsmap`), decoded.
///
/// Layout: a little-endian `UInt32` byte size of the trie, the trie itself (a darts-clone double array of
/// little-endian `UInt32` units), then the replacement strings, each ended by a NUL byte. A trie value is
/// the byte offset of its replacement in that string pool.
struct PrecompiledCharsMap: Sendable {
    private let units: [UInt32]
    private let replacements: [UInt8]

    init(_ blob: [UInt8]) throws(InputError) {
        guard blob.count >= 4 else { throw InputError("precompiled_charsmap is too short") }
        let trieSize = Int(blob[0]) | Int(blob[1]) << 8 | Int(blob[2]) << 16 | Int(blob[3]) << 24
        guard trieSize % 4 == 0, trieSize <= blob.count - 4 else {
            throw InputError("precompiled_charsmap has a trie size (\(trieSize)) that does not fit")
        }
        var units: [UInt32] = []
        units.reserveCapacity(trieSize / 4)
        var offset = 4
        while offset < 4 + trieSize {
            units.append(UInt32(blob[offset]) | UInt32(blob[offset + 1]) << 8
                | UInt32(blob[offset + 2]) << 16 | UInt32(blob[offset + 3]) << 24)
            offset += 4
        }
        guard !units.isEmpty else { throw InputError("precompiled_charsmap has an empty trie") }
        self.units = units
        replacements = Array(blob[(4 + trieSize)...])
        // Real charsmaps (nmt_nfkc) replace a character by at most a few dozen bytes; a longer one can
        // only blow every line up (a hostile file turned 300 characters into 13 MB).
        var run = 0
        for byte in replacements {
            run = byte == 0 ? 0 : run + 1
            guard run <= Self.longestReplacement else {
                throw InputError("precompiled_charsmap has a replacement longer than \(Self.longestReplacement) bytes")
            }
        }
    }

    static let longestReplacement = 256

    // darts-clone unit fields.
    private static func hasLeaf(_ unit: UInt32) -> Bool { (unit >> 8) & 1 == 1 }
    private static func value(_ unit: UInt32) -> Int { Int(unit & 0x7FFF_FFFF) }
    private static func label(_ unit: UInt32) -> UInt32 { unit & 0x8000_00FF }
    private static func offset(_ unit: UInt32) -> Int { Int((unit >> 10) << ((unit & (1 << 9)) >> 6)) }

    /// The replacement for `key`, or nil when no rule applies.
    ///
    /// Like SentencePiece's Rust port used by Hugging Face, this takes the *shortest* rule that is a prefix
    /// of `key` and returns its replacement for the whole key: callers pass one grapheme or one scalar.
    func replacement(for key: some Collection<UInt8>) -> [UInt8]? {
        var node = Self.offset(units[0])
        for byte in key {
            if byte == 0 { return nil }
            node ^= Int(byte)
            guard node < units.count else { return nil }
            let unit = units[node]
            guard Self.label(unit) == UInt32(byte) else { return nil }
            node ^= Self.offset(unit)
            guard node < units.count else { return nil }
            if Self.hasLeaf(unit) { return replacementString(at: Self.value(units[node])) }
        }
        return nil
    }

    private func replacementString(at start: Int) -> [UInt8]? {
        guard start <= replacements.count else { return nil }
        var end = start
        while end < replacements.count, replacements[end] != 0 { end += 1 }
        return Array(replacements[start..<end])
    }
}
