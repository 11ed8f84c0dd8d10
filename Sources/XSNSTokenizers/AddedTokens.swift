import XSNSStorage
/// The `added_tokens` of a tokenizer.json and how they cut the input before the model sees it.
///
/// As in Hugging Face: tokens with `normalized: false` (all special tokens, usually) are found in the raw
/// text; the remaining pieces are normalized and then searched for the `normalized: true` tokens. Matching
/// is leftmost-longest over UTF-8 bytes; `lstrip`/`rstrip` swallow adjacent whitespace, `single_word`
/// requires word boundaries.
struct AddedTokens: Sendable {
    struct Token: Sendable {
        var id: Int
        var content: String
        var pattern: [UInt8]
        var isNormalized: Bool
        var singleWord: Bool
        var lstrip: Bool
        var rstrip: Bool
        var special: Bool
    }

    /// A stretch of text: either an added token (with its id) or text still to be tokenized.
    enum Piece {
        case token(id: Int, text: String)
        case text(Segment)
    }

    /// The tokens matched in raw text and in normalized text, each indexed for matching.
    let raw: TokenSet
    let normalized: TokenSet
    let all: [Token]

    /// Tokens grouped by their first byte, longest first, so a position is tried against few candidates.
    struct TokenSet: Sendable {
        private var byFirstByte: [[Token]] = Array(repeating: [], count: 256)
        let isEmpty: Bool

        init(_ tokens: [Token]) {
            for token in tokens {
                if let first = token.pattern.first { byFirstByte[Int(first)].append(token) }
            }
            for index in byFirstByte.indices {
                byFirstByte[index].sort { $0.pattern.count > $1.pattern.count }
            }
            isEmpty = tokens.allSatisfy { $0.pattern.isEmpty }
        }

        /// The longest token whose pattern occurs in `bytes` at `position` (the first listed on ties).
        func longestMatch(in bytes: [UInt8], at position: Int) -> Token? {
            for token in byFirstByte[Int(bytes[position])] {
                let end = position + token.pattern.count
                if end <= bytes.count, bytes[position..<end].elementsEqual(token.pattern) { return token }
            }
            return nil
        }
    }

    init(_ value: JSONValue?, normalizer: (any Normalizer)?) throws(InputError) {
        let items: [JSONValue]
        switch value {
        case nil: items = []
        case .array(let elements)?: items = elements
        default: throw InputError("added_tokens must be an array")
        }
        var tokens: [Token] = []
        for (index, item) in items.enumerated() {
            let fields = try JSONFields(item, path: "added_tokens[\(index)]")
            guard let id = try fields.optionalInt("id"), id >= 0 else {
                throw InputError("\(fields.fieldPath("id")) must be a non-negative integer")
            }
            let content = try fields.string("content")
            guard !content.isEmpty else { throw InputError("\(fields.fieldPath("content")) is empty") }
            let special = try fields.bool("special", default: false)
            let isNormalized = try fields.bool("normalized", default: !special)
            // A normalized token is searched for in normalized text, so its pattern is normalized too.
            let pattern = isNormalized ? (normalizer?.normalize(content) ?? content) : content
            tokens.append(Token(
                id: id, content: content, pattern: Array(pattern.utf8), isNormalized: isNormalized,
                singleWord: try fields.bool("single_word", default: false),
                lstrip: try fields.bool("lstrip", default: false), rstrip: try fields.bool("rstrip", default: false),
                special: special))
        }
        all = tokens
        raw = TokenSet(tokens.filter { !$0.isNormalized })
        normalized = TokenSet(tokens.filter(\.isNormalized))
    }

    /// Cuts `text` at the tokens of `set`, as Hugging Face's `find_matches`.
    static func split(_ segment: Segment, at set: TokenSet) -> [Piece] {
        let bytes = Array(segment.text.utf8)
        guard !set.isEmpty, !bytes.isEmpty else { return [.text(segment)] }
        var pieces: [Piece] = []
        var pieceStart = 0
        var position = 0
        func slice(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        func textPiece(_ range: Range<Int>) -> Segment {
            // The scalar offset of the piece (the bytes before it that start a scalar) only matters while
            // the segment still has a lead.
            let offset = segment.lead == 0
                ? 0 : bytes[..<range.lowerBound].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
            return segment.piece(slice(range).unicodeScalars, at: offset)
        }
        while position < bytes.count {
            guard let match = set.longestMatch(in: bytes, at: position) else {
                position += 1
                continue
            }
            var start = position
            var stop = position + match.pattern.count
            position = stop
            if match.singleWord {
                let startsWord = start == 0 || !endsWithWordCharacter(slice(0..<start))
                let stopsWord = stop == bytes.count || !startsWithWordCharacter(slice(stop..<bytes.count))
                if !startsWord || !stopsWord { continue }
            }
            if match.lstrip {
                // Whitespace before the token, but never into the previous token.
                for scalar in slice(pieceStart..<start).unicodeScalars.reversed() {
                    guard HFUnicode.isWhitespace(scalar) else { break }
                    start -= UTF8.width(scalar)
                }
            }
            if match.rstrip {
                for scalar in slice(stop..<bytes.count).unicodeScalars {
                    guard HFUnicode.isWhitespace(scalar) else { break }
                    stop += UTF8.width(scalar)
                }
                position = stop
            }
            if pieceStart < start {
                pieces.append(.text(textPiece(pieceStart..<start)))
            }
            pieces.append(.token(id: match.id, text: slice(start..<stop)))
            pieceStart = stop
        }
        if pieceStart < bytes.count {
            pieces.append(.text(textPiece(pieceStart..<bytes.count)))
        }
        return pieces
    }

    private static func endsWithWordCharacter(_ text: String) -> Bool {
        text.unicodeScalars.last.map(HFUnicode.isWordCharacter) ?? false
    }

    private static func startsWithWordCharacter(_ text: String) -> Bool {
        text.unicodeScalars.first.map(HFUnicode.isWordCharacter) ?? false
    }
}
