/// The result of encoding one text (or a pair): token ids and the matching token strings, special tokens
/// included, and for a pair each token's segment (type id).
public struct Encoding: Sendable, Equatable {
    public var ids: [Int]
    public var tokens: [String]
    /// Each token's type id as the post-processor assigns it; nil: 0 for every token (a single sequence).
    public var typeIds: [Int]?

    public init(ids: [Int], tokens: [String], typeIds: [Int]? = nil) {
        self.ids = ids
        self.tokens = tokens
        self.typeIds = typeIds
    }

    /// `typeIds`, zeros when none were assigned.
    public var segmentIds: [Int] { typeIds ?? [Int](repeating: 0, count: ids.count) }

    /// The first `count` tokens (at most).
    func prefix(_ count: Int) -> Encoding {
        Encoding(ids: Array(ids.prefix(count)), tokens: Array(tokens.prefix(count)), typeIds: typeIds.map { Array($0.prefix(count)) })
    }

    /// `other` after this one.
    func followed(by other: Encoding) -> Encoding {
        let types = typeIds == nil && other.typeIds == nil ? nil : segmentIds + other.segmentIds
        return Encoding(ids: ids + other.ids, tokens: tokens + other.tokens, typeIds: types)
    }

    /// Every token of the given type.
    func typed(_ type: Int) -> Encoding {
        Encoding(ids: ids, tokens: tokens, typeIds: [Int](repeating: type, count: ids.count))
    }
}
