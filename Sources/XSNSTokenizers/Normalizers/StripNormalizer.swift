/// `Strip`: removes whitespace (Unicode White_Space) at the left and/or right end.
struct StripNormalizer: Normalizer {
    let left: Bool
    let right: Bool

    init(_ fields: JSONFields) throws(TokenizerInputError) {
        left = try fields.bool("strip_left", default: true)
        right = try fields.bool("strip_right", default: true)
    }

    func normalize(_ text: String) -> String {
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        if left {
            while start < end, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
        }
        if right {
            while start < end, scalars[scalars.index(before: end)].properties.isWhitespace {
                end = scalars.index(before: end)
            }
        }
        return String(scalars[start..<end])
    }
}
