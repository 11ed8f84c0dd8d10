/// `BertPreTokenizer`: splits on whitespace (dropped), then isolates every punctuation scalar.
struct BertPreTokenizer: PreTokenizer {
    func split(_ segment: Segment) -> [Segment] {
        segment.split(.removed, where: HFUnicode.isWhitespace)
            .flatMap { $0.split(.isolated, where: HFUnicode.isPunctuation) }
    }
}
