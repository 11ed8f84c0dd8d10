import Foundation
import XSNSAnalysis
import XSNSSession
import XSNSStorage
import XSNSTokenizers

extension LexicalCounts {
    static func count(_ corpus: Corpus, tokenizer: Tokenizer, corpusSHA256: String) -> LexicalCounts {
        var counts: [Int: Int] = [:]
        var tokens = 0
        for index in corpus.lines.indices {
            for id in corpus.encode(index, tokenizer: tokenizer, maxLength: nil).map(Int.init)
            where !tokenizer.specialTokenIds.contains(id) {
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
}
