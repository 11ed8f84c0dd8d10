import Foundation
import XSNSSession
import XSNSStorage
import XSNSTokenizers

/// The LEX baseline's input: how often each token id occurs (special tokens excluded) over every
/// line of a language's corpus under the model's tokenizer, without truncation.
public struct LexicalCounts: Codable, Equatable, Sendable {
    public var language: String
    public var corpusSHA256: String
    public var lines: Int
    public var tokens: Int
    /// `[id, count]` pairs in ascending id order.
    public var counts: [[Int]]

    static func count(_ corpus: Corpus, tokenizer: Tokenizer, corpusSHA256: String) -> LexicalCounts {
        var counts: [Int: Int] = [:]
        var tokens = 0
        for line in corpus.lines {
            for id in tokenizer.encode(line).ids where !tokenizer.specialTokenIds.contains(id) {
                counts[id, default: 0] += 1
                tokens += 1
            }
        }
        return LexicalCounts(
            language: corpus.language, corpusSHA256: corpusSHA256, lines: corpus.lines.count, tokens: tokens,
            counts: counts.keys.sorted().map { [$0, counts[$0] ?? 0] })
    }

    /// Writes the counts unless a file for this very corpus content is already there.
    static func writeIfMissing(corpus: Corpus, tokenizer: Tokenizer, corpusSHA256: String, store: SessionStore) throws {
        let url = store.paths.lexicalCounts(language: corpus.language)
        if let existing = try? load(url), existing.corpusSHA256 == corpusSHA256 { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(try encoder.encode(count(corpus, tokenizer: tokenizer, corpusSHA256: corpusSHA256)), to: url)
    }

    public static func load(_ url: URL) throws -> LexicalCounts {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw InputError(file: url.path, "cannot read LEX counts: \(error.localizedDescription)")
        }
        // JSONDecoder (swift-foundation 6.3) traps instead of throwing when a document reaches its
        // 512-level nesting limit at its very last byte; JSONSerialization rejects that safely, so it screens first.
        guard (try? JSONSerialization.jsonObject(with: data)) != nil else {
            throw InputError(file: url.path, "not a LEX counts file written by xsns compute")
        }
        do { return try JSONDecoder().decode(LexicalCounts.self, from: data) } catch {
            throw InputError(file: url.path, "not a LEX counts file written by xsns compute")
        }
    }
}
