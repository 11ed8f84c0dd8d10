/// `Whitespace`: the pieces matched by `\w+|[^\w\s]+` — runs of word scalars and runs of other
/// non-space scalars; whitespace separates pieces and is dropped.
struct WhitespacePreTokenizer: PreTokenizer {
    private enum Kind { case word, other, space }

    private static func kind(_ scalar: Unicode.Scalar) -> Kind {
        if HFUnicode.isWordCharacter(scalar) { return .word }
        if HFUnicode.isWhitespace(scalar) { return .space }
        return .other
    }

    func split(_ segment: Segment) -> [Segment] {
        var segments: [Segment] = []
        var current: [Unicode.Scalar] = []
        var currentStart = 0
        var currentKind = Kind.space
        for (offset, scalar) in segment.text.unicodeScalars.enumerated() {
            let kind = Self.kind(scalar)
            if kind != currentKind {
                if !current.isEmpty { segments.append(segment.piece(current, at: currentStart)) }
                current = []
                currentStart = offset
                currentKind = kind
            }
            if kind != .space { current.append(scalar) }
        }
        if !current.isEmpty { segments.append(segment.piece(current, at: currentStart)) }
        return segments
    }
}
