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
        var current = String.UnicodeScalarView()
        var currentKind = Kind.space
        // Only a piece that begins with the segment's first scalar still starts the input.
        let startsWithSpace = segment.text.unicodeScalars.first.map(HFUnicode.isWhitespace) ?? true
        func flush() {
            if !current.isEmpty {
                let first = segment.startsInput && segments.isEmpty && !startsWithSpace
                segments.append(Segment(text: String(current), startsInput: first))
                current = String.UnicodeScalarView()
            }
        }
        for scalar in segment.text.unicodeScalars {
            let kind = Self.kind(scalar)
            if kind != currentKind { flush() }
            currentKind = kind
            if kind != .space { current.append(scalar) }
        }
        flush()
        return segments
    }
}
