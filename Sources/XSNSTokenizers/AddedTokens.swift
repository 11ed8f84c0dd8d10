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
    enum Piece: Equatable {
        case token(id: Int, text: String)
        case text(String, startsInput: Bool)
    }

    let raw: [Token]
    let normalized: [Token]
    let all: [Token]

    init(_ value: JSONValue?, normalizer: (any Normalizer)?) throws(TokenizerInputError) {
        var tokens: [Token] = []
        for (index, item) in (value?.arrayValue ?? []).enumerated() {
            let fields = try JSONFields(item, path: "added_tokens[\(index)]")
            guard let id = try fields.optionalInt("id"), id >= 0 else {
                throw TokenizerInputError("\(fields.fieldPath("id")) must be a non-negative integer")
            }
            let content = try fields.string("content")
            guard !content.isEmpty else { throw TokenizerInputError("\(fields.fieldPath("content")) is empty") }
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
        raw = tokens.filter { !$0.isNormalized }
        normalized = tokens.filter { $0.isNormalized && !$0.pattern.isEmpty }
    }

    /// Cuts `text` at the tokens of `set`, as Hugging Face's `find_matches`.
    static func split(_ text: String, startsInput: Bool, at set: [Token]) -> [Piece] {
        let bytes = Array(text.utf8)
        guard !set.isEmpty, !bytes.isEmpty else { return [.text(text, startsInput: startsInput)] }
        var pieces: [Piece] = []
        var pieceStart = 0
        var position = 0
        func slice(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        while position < bytes.count {
            guard let match = longestMatch(in: bytes, at: position, among: set) else {
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
                var newStart = start
                for scalar in slice(0..<start).unicodeScalars.reversed() {
                    guard HFUnicode.isWhitespace(scalar) else { break }
                    newStart -= UTF8.width(scalar)
                }
                start = max(newStart, pieceStart)
            }
            if match.rstrip {
                for scalar in slice(stop..<bytes.count).unicodeScalars {
                    guard HFUnicode.isWhitespace(scalar) else { break }
                    stop += UTF8.width(scalar)
                }
                position = stop
            }
            if pieceStart < start {
                pieces.append(.text(slice(pieceStart..<start), startsInput: startsInput && pieceStart == 0))
            }
            pieces.append(.token(id: match.id, text: slice(start..<stop)))
            pieceStart = stop
        }
        if pieceStart < bytes.count {
            pieces.append(.text(slice(pieceStart..<bytes.count), startsInput: startsInput && pieceStart == 0))
        }
        return pieces
    }

    private static func longestMatch(in bytes: [UInt8], at position: Int, among set: [Token]) -> Token? {
        var best: Token?
        for token in set where token.pattern.count > (best?.pattern.count ?? 0) {
            let end = position + token.pattern.count
            if end <= bytes.count, bytes[position..<end].elementsEqual(token.pattern) { best = token }
        }
        return best
    }

    private static func endsWithWordCharacter(_ text: String) -> Bool {
        text.unicodeScalars.last.map(HFUnicode.isWordCharacter) ?? false
    }

    private static func startsWithWordCharacter(_ text: String) -> Bool {
        text.unicodeScalars.first.map(HFUnicode.isWordCharacter) ?? false
    }
}
