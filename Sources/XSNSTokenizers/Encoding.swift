/// The result of encoding one text: token ids and the matching token strings, special tokens included.
public struct Encoding: Sendable, Equatable {
    public var ids: [Int]
    public var tokens: [String]

    public init(ids: [Int], tokens: [String]) {
        self.ids = ids
        self.tokens = tokens
    }
}
