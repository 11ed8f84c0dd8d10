/// `WhitespaceSplit`: splits on whitespace, which is dropped.
struct WhitespaceSplitPreTokenizer: PreTokenizer {
    func split(_ segment: Segment) -> [Segment] {
        segment.split(.removed, where: HFUnicode.isWhitespace)
    }
}
