import Foundation
import XSNSStorage

/// A Hugging Face `tokenizer.json` pipeline: added tokens → normalizer → pre-tokenizer → model →
/// post-processor, giving the ids `tokenizer.encode(text)` gives in Python.
public final class Tokenizer: Sendable {
    private let addedTokens: AddedTokens
    private let normalizer: (any Normalizer)?
    private let preTokenizer: (any PreTokenizer)?
    private let model: any TokenizerModel
    private let postProcessor: (any PostProcessor)?

    /// Ids of the added tokens marked special (`<s>`, `[CLS]`, `<mask>`, …).
    public let specialTokenIds: Set<Int>
    public let maskTokenId: Int?
    public let padTokenId: Int?

    /// Loads `tokenizer.json`. Throws `InputError` naming the file when it is unreadable,
    /// malformed, or uses a component type this module does not implement.
    public convenience init(contentsOf url: URL) throws(InputError) {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw InputError(file: url.path, "cannot read the tokenizer file")
        }
        do {
            try self.init(data: data)
        } catch {
            throw InputError(file: url.path, error.message)
        }
    }

    /// Loads a tokenizer from the bytes of a `tokenizer.json`.
    public init(data: Data) throws(InputError) {
        let root: JSONValue
        do {
            root = try JSONParser.parse(data)
        } catch {
            throw InputError("invalid JSON at byte \(error.offset): \(error.message)")
        }
        let fields = try JSONFields(root, path: "")
        normalizer = try fields.optional("normalizer").map { v throws(InputError) in
            try makeNormalizer(v, path: "normalizer")
        }
        preTokenizer = try fields.optional("pre_tokenizer").map { v throws(InputError) in
            try makePreTokenizer(v, path: "pre_tokenizer")
        }
        let model = try makeModel(try fields.required("model"), path: "model")
        self.model = model
        postProcessor = try fields.optional("post_processor").map { v throws(InputError) in
            try makePostProcessor(v, path: "post_processor")
        }
        let addedTokens = try AddedTokens(fields.optional("added_tokens"), normalizer: normalizer)
        self.addedTokens = addedTokens

        specialTokenIds = Set(addedTokens.all.filter(\.special).map(\.id))
        func tokenId(_ candidates: [String]) -> Int? {
            for name in candidates {
                if let token = addedTokens.all.first(where: { $0.content == name }) { return token.id }
            }
            for name in candidates {
                if let id = model.id(of: name) { return id }
            }
            return nil
        }
        maskTokenId = tokenId(["<mask>", "[MASK]"])
        padTokenId = tokenId(["<pad>", "[PAD]"])
        // Processing no content yields exactly the ids the post-processor adds: each must name a token,
        // or the model would be fed ids outside its embedding table.
        let vocabulary = max(model.vocabularySize, (addedTokens.all.map(\.id).max() ?? -1) + 1)
        let empty = Encoding(ids: [], tokens: [])
        if let added = postProcessor.map({ $0.process(empty).ids + $0.process(empty, pair: empty).ids }),
           let bad = added.first(where: { $0 < 0 || $0 >= vocabulary }) {
            throw InputError("post_processor: special token id \(bad) is outside the vocabulary (\(vocabulary) ids)")
        }
    }

    /// The number of ids: the model's vocabulary plus added tokens beyond it.
    public var vocabularySize: Int {
        max(model.vocabularySize, (addedTokens.all.map(\.id).max() ?? -1) + 1)
    }

    /// "Unigram" or "WordPiece".
    public var modelType: String { model.typeName }

    /// How many special tokens the post-processor adds to one sentence.
    public var addedTokenCount: Int { postProcessor?.addedTokenCount ?? 0 }

    /// How many special tokens the post-processor adds to a pair.
    public var addedPairTokenCount: Int { postProcessor?.addedPairTokenCount ?? 0 }

    /// Encodes with special tokens, as Hugging Face's `tokenizer.encode(text)`.
    public func encode(_ text: String) -> Encoding {
        encode(text, maxLength: nil)
    }

    /// Encodes with special tokens; with `maxLength`, the content is cut at the end so that the result,
    /// special tokens included, has at most `maxLength` ids (HF `truncation=True, max_length=N`). A
    /// `maxLength` below `addedTokenCount` leaves the special tokens alone (HF refuses such a length).
    public func encode(_ text: String, maxLength: Int?) -> Encoding {
        var content = encodeContent(text)
        if let maxLength { content = content.prefix(max(0, maxLength - addedTokenCount)) }
        return postProcessor?.process(content) ?? content
    }

    /// Encodes a pair as Hugging Face's `tokenizer.encode(text, pair)`: the pair template's special tokens
    /// and type ids; with `maxLength`, `tokenizers`' `longest_first` truncation: the shorter sequence keeps
    /// what it can of the room left after the other, unless both need more than half (then half each, an
    /// odd token to the longer, or to the second on a tie).
    public func encode(_ text: String, pair: String, maxLength: Int?) -> Encoding {
        var first = encodeContent(text), second = encodeContent(pair)
        if let maxLength {
            let room = max(0, maxLength - (postProcessor?.addedPairTokenCount ?? 0))
            if first.ids.count + second.ids.count > room {
                let swapped = first.ids.count > second.ids.count
                var short = min(first.ids.count, second.ids.count), long = max(first.ids.count, second.ids.count)
                long = short > room ? short : max(short, room - short)
                if short + long > room {
                    short = room / 2
                    long = short + room % 2
                }
                first = first.prefix(swapped ? long : short)
                second = second.prefix(swapped ? short : long)
            }
        }
        return postProcessor?.process(first, pair: second) ?? first.typed(0).followed(by: second.typed(1))
    }

    /// Encodes words already split (a treebank's tokens) as Hugging Face's `is_split_into_words=True`:
    /// each word is normalised, pre-tokenized and tokenized on its own (so a Metaspace pre-tokenizer
    /// marks every word as word-initial), truncated and wrapped in special tokens like `encode`.
    /// `wordIndices[i]` is the word token i came from, nil for special tokens; a word that tokenizes to
    /// nothing, or lies past the truncation, has no token.
    public func encode(words: [String], maxLength: Int?) -> (encoding: Encoding, wordIndices: [Int?]) {
        var content = Encoding(ids: [], tokens: [])
        var indices: [Int?] = []
        for (index, word) in words.enumerated() {
            let pieces = encodeContent(word)
            content.ids += pieces.ids
            content.tokens += pieces.tokens
            indices += Array(repeating: index, count: pieces.ids.count)
        }
        if let maxLength {
            let keep = max(0, maxLength - addedTokenCount)
            if content.ids.count > keep {
                content.ids.removeSubrange(keep...)
                content.tokens.removeSubrange(keep...)
                indices.removeSubrange(keep...)
            }
        }
        guard let postProcessor else { return (content, indices) }
        // Where the content lands among the special tokens: found by wrapping a single marker id.
        let marker = postProcessor.process(Encoding(ids: [-1], tokens: [""])).ids
        let before = marker.firstIndex(of: -1) ?? 0
        let encoding = postProcessor.process(content)
        let after = encoding.ids.count - before - content.ids.count
        return (encoding, Array(repeating: nil, count: before) + indices + Array(repeating: nil, count: max(0, after)))
    }

    /// The tokens of `text` without special tokens around them.
    private func encodeContent(_ text: String) -> Encoding {
        var result = Encoding(ids: [], tokens: [])
        // Only the input's first scalar sits at original offset 0.
        let input = Segment(text: text, lead: text.isEmpty ? 0 : 1)
        for rawPiece in AddedTokens.split(input, at: addedTokens.raw) {
            guard case .text(let raw) = rawPiece else {
                append(rawPiece, to: &result)
                continue
            }
            let normalized = normalizer.map { $0.normalize(raw) } ?? raw
            if normalized.text.isEmpty { continue }
            for piece in AddedTokens.split(normalized, at: addedTokens.normalized) {
                append(piece, to: &result)
            }
        }
        return result
    }

    private func append(_ piece: AddedTokens.Piece, to result: inout Encoding) {
        switch piece {
        case .token(let id, let text):
            result.ids.append(id)
            result.tokens.append(text)
        case .text(let segment):
            let segments = preTokenizer?.split(segment) ?? [segment]
            for segment in segments where !segment.text.isEmpty {
                model.tokenize(segment.text, ids: &result.ids, tokens: &result.tokens)
            }
        }
    }
}
