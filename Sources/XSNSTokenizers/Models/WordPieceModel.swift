import XSNSStorage
/// `WordPiece` (BERT): greedy longest-match-first within each word; pieces after the first carry the
/// continuation prefix ("##"). A word longer than `max_input_chars_per_word` scalars, or one that cannot be
/// covered by vocabulary pieces, becomes the single unknown token.
struct WordPieceModel: TokenizerModel {
    let typeName = "WordPiece"
    private let tokensById: [String]
    private let trie: ByteTrie
    private let unkToken: String
    private let unkId: Int
    private let continuationPrefix: [UInt8]
    private let maxInputCharsPerWord: Int

    var vocabularySize: Int { tokensById.count }

    init(_ fields: JSONFields) throws(InputError) {
        let vocab = try fields.object("vocab")
        var largestId = -1
        for (token, value) in vocab.members {
            guard let id = value.intValue, id >= 0, id < Int(Int32.max) else {
                throw InputError("\(vocab.fieldPath(token)) must be a non-negative integer id")
            }
            largestId = max(largestId, id)
        }
        guard largestId < vocab.members.count * 2 + 1024 else {
            throw InputError("\(vocab.path): ids are far larger than the vocabulary (\(largestId))")
        }
        // Indexed by id, for the token strings of an encoding; ids absent from the vocabulary stay "".
        var tokensById = Array(repeating: "", count: largestId + 1)
        var keys: [String] = []
        var ids: [Int32] = []
        for (token, value) in vocab.members {
            guard let id = value.intValue else { continue }
            tokensById[id] = token
            keys.append(token)
            ids.append(Int32(id))
        }
        guard ByteTrie.canHold(keys) else { throw InputError("\(vocab.path): vocabulary too large") }
        let trie = ByteTrie(keys: keys, values: ids)
        self.tokensById = tokensById
        self.trie = trie
        unkToken = try fields.optionalString("unk_token") ?? "[UNK]"
        guard let unkId = trie.lookup(unkToken.utf8) else {
            throw InputError("\(fields.fieldPath("unk_token")) \"\(unkToken)\" is not in the vocabulary")
        }
        self.unkId = Int(unkId)
        continuationPrefix = Array((try fields.optionalString("continuing_subword_prefix") ?? "##").utf8)
        maxInputCharsPerWord = try fields.optionalInt("max_input_chars_per_word") ?? 100
    }

    func id(of token: String) -> Int? {
        trie.lookup(token.utf8).map(Int.init)
    }

    func tokenize(_ text: String, ids: inout [Int], tokens: inout [String]) {
        guard text.unicodeScalars.count <= maxInputCharsPerWord else {
            ids.append(unkId)
            tokens.append(unkToken)
            return
        }
        let bytes = Array(text.utf8)
        var pieces: [Int] = []
        var start = 0
        while start < bytes.count {
            // Longest vocabulary entry matching bytes[start...], behind the prefix after the first piece.
            var node: Int32? = ByteTrie.root
            if start > 0 {
                for byte in continuationPrefix { node = node.flatMap { trie.child(of: $0, byte) } }
            }
            var matchId: Int32?
            var matchEnd = start
            var position = start
            while let current = node, position < bytes.count, let next = trie.child(of: current, bytes[position]) {
                node = next
                position += 1
                if let id = trie.value(at: next) {
                    matchId = id
                    matchEnd = position
                }
            }
            guard let matchId else {
                ids.append(unkId)
                tokens.append(unkToken)
                return
            }
            pieces.append(Int(matchId))
            start = matchEnd
        }
        for id in pieces {
            ids.append(id)
            tokens.append(tokensById[id])
        }
    }
}
