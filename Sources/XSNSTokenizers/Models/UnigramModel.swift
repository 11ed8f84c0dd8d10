import Foundation
import XSNSStorage

/// `Unigram` (SentencePiece): the most probable segmentation by Viterbi over piece log-probabilities.
///
/// Mirrors Hugging Face's optimised encoder: a forward pass keeps, for every byte position, the best path
/// ending there; ties keep the first candidate found (earlier start, then shorter piece). A scalar that no
/// single-scalar piece covers gets the unknown piece with score `min_score - 10`; consecutive unknowns are
/// fused into one token, which becomes byte-fallback tokens `<0xNN>` when enabled, else the unk id.
struct UnigramModel: TokenizerModel {
    private static let unknownPenalty = 10.0

    let typeName = "Unigram"
    private let pieces: [String]
    private let scores: [Double]
    private let trie: ByteTrie
    private let unkId: Int?
    private let unknownScore: Double
    private let byteFallback: Bool
    /// The ids of `<0x00>`…`<0xFF>`, where present.
    private let byteTokenIds: [Int?]

    var vocabularySize: Int { pieces.count }

    init(_ fields: JSONFields) throws(InputError) {
        let vocab = try fields.array("vocab")
        var pieces: [String] = []
        var scores: [Double] = []
        pieces.reserveCapacity(vocab.count)
        scores.reserveCapacity(vocab.count)
        var minimumScore = Double.infinity
        for (index, entry) in vocab.enumerated() {
            guard case .array(let pair) = entry, pair.count == 2, case .string(let piece) = pair[0],
                  case .number(let score) = pair[1] else {
                throw InputError("\(fields.fieldPath("vocab"))[\(index)] must be a [piece, score] pair")
            }
            pieces.append(piece)
            scores.append(score)
            minimumScore = min(minimumScore, score)
        }
        guard ByteTrie.canHold(pieces) else { throw InputError("\(fields.path): vocabulary too large") }
        let trie = ByteTrie(keys: pieces)
        self.pieces = pieces
        self.scores = scores
        self.trie = trie
        unkId = try fields.optionalInt("unk_id")
        if let unkId, !(0..<pieces.count).contains(unkId) {
            throw InputError("\(fields.fieldPath("unk_id")) \(unkId) is outside the vocabulary")
        }
        unknownScore = (pieces.isEmpty ? 0 : minimumScore) - Self.unknownPenalty
        byteFallback = try fields.bool("byte_fallback", default: false)
        byteTokenIds = (0...255).map { byte in
            trie.lookup(String(format: "<0x%02X>", byte).utf8).map(Int.init)
        }
    }

    func id(of token: String) -> Int? {
        trie.lookup(token.utf8).map(Int.init)
    }

    func tokenize(_ text: String, ids: inout [Int], tokens: inout [String]) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return }
        let count = bytes.count
        // best[end]: score of the best path over bytes[0..<end], where its last token starts, and its id.
        var bestScore = [Double](repeating: 0, count: count + 1)
        var bestStart = [Int](repeating: -1, count: count + 1)
        var bestId = [Int](repeating: -1, count: count + 1)

        func offer(start: Int, end: Int, id: Int, score: Double) {
            let candidate = bestScore[start] + score
            if bestStart[end] < 0 || candidate > bestScore[end] {
                bestScore[end] = candidate
                bestStart[end] = start
                bestId[end] = id
            }
        }

        var start = 0
        while start < count {
            let scalarLength = min(utf8Length(leadByte: bytes[start]), count - start)
            var coversScalar = false
            var node = ByteTrie.root
            var end = start
            while end < count, let next = trie.child(of: node, bytes[end]) {
                node = next
                end += 1
                if let id = trie.value(at: node) {
                    offer(start: start, end: end, id: Int(id), score: scores[Int(id)])
                    if end - start == scalarLength { coversScalar = true }
                }
            }
            if !coversScalar, let unkId {
                offer(start: start, end: start + scalarLength, id: unkId, score: unknownScore)
            }
            start += scalarLength
        }
        emitBestPath(bytes, bestStart: bestStart, bestId: bestId, ids: &ids, tokens: &tokens)
    }

    private func emitBestPath(_ bytes: [UInt8], bestStart: [Int], bestId: [Int],
                              ids: inout [Int], tokens: inout [String]) {
        // Walk back from the end; runs of unknown pieces become one byte range.
        var path: [(start: Int, end: Int, id: Int)] = []
        var end = bytes.count
        while end > 0 {
            let start = bestStart[end]
            // Without an unk piece some text may be unreachable; Hugging Face fails there, we stop.
            guard start >= 0 else { return }
            let id = bestId[end]
            if id == unkId, let last = path.last, last.id == unkId {
                path[path.count - 1].start = start
            } else {
                path.append((start, end, id))
            }
            end = start
        }
        for step in path.reversed() {
            if step.id != unkId {
                ids.append(step.id)
                tokens.append(pieces[step.id])
                continue
            }
            let unknownBytes = bytes[step.start..<step.end]
            if let id = trie.lookup(unknownBytes) {
                ids.append(Int(id))
                tokens.append(pieces[Int(id)])
            } else if byteFallback, let byteIds = byteIds(unknownBytes) {
                for (byte, id) in zip(unknownBytes, byteIds) {
                    ids.append(id)
                    tokens.append(String(format: "<0x%02X>", byte))
                }
            } else if let unkId {
                ids.append(unkId)
                tokens.append(String(decoding: unknownBytes, as: UTF8.self))
            }
        }
    }

    private func byteIds(_ bytes: ArraySlice<UInt8>) -> [Int]? {
        var result: [Int] = []
        for byte in bytes {
            guard let id = byteTokenIds[Int(byte)] else { return nil }
            result.append(id)
        }
        return result
    }
}

/// The byte length of the UTF-8 sequence that `leadByte` starts.
func utf8Length(leadByte: UInt8) -> Int {
    switch leadByte {
    case 0xF0...: return 4
    case 0xE0...: return 3
    case 0xC0...: return 2
    default: return 1
    }
}
