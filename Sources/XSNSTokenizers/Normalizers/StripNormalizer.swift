import XSNSStorage
/// `Strip`: removes whitespace (Unicode White_Space) at the left and/or right end.
struct StripNormalizer: Normalizer {
    let left: Bool
    let right: Bool

    init(_ fields: JSONFields) throws(InputError) {
        left = try fields.bool("strip_left", default: true)
        right = try fields.bool("strip_right", default: true)
    }

    func normalize(_ text: String) -> String {
        normalize(Segment(text: text, lead: 0)).text
    }

    /// Stripping on the left removes lead scalars first; on the right it can only cut the lead short.
    func normalize(_ segment: Segment) -> Segment {
        let scalars = segment.text.unicodeScalars
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
        let stripped = scalars[start..<end]
        let removedAtStart = scalars.distance(from: scalars.startIndex, to: start)
        let lead = min(max(0, segment.lead - removedAtStart), stripped.count)
        return Segment(text: String(stripped), lead: lead)
    }
}
