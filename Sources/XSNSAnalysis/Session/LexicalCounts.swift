import Foundation
import XSNSStorage

/// The LEX baseline's input, `baselines/lex/<lang>.json`: how often each token id occurs (special
/// tokens excluded) over every line of a language's corpus under the model's tokenizer, without
/// truncation. `xsns compute` writes it; the analysis reads it.
public struct LexicalCounts: Codable, Equatable, Sendable {
    public var language: String
    public var corpusSHA256: String
    public var lines: Int
    public var tokens: Int
    /// `[id, count]` pairs in ascending id order.
    public var counts: [[Int]]

    public init(language: String, corpusSHA256: String, lines: Int, tokens: Int, counts: [[Int]]) {
        self.language = language
        self.corpusSHA256 = corpusSHA256
        self.lines = lines
        self.tokens = tokens
        self.counts = counts
    }

    public static func load(_ url: URL) throws -> LexicalCounts {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw InputError(file: url.path, "cannot read LEX counts: \(error.localizedDescription)")
        }
        do { return try JSONDecoder().decodeScreened(LexicalCounts.self, from: data) } catch {
            throw InputError(file: url.path, "not a LEX counts file written by xsns compute")
        }
    }

    /// The counts as a map; `file` names the source in errors.
    public func countByID(file: String?) throws -> [Int: Int] {
        var map: [Int: Int] = [:]
        // Every per-id sum and the similarity's total stay below this running total, so checking it
        // alone keeps the sums from wrapping (this module is compiled without overflow traps).
        var total = 0
        for pair in counts {
            guard pair.count == 2, pair[1] >= 0 else {
                throw InputError(file: file, "LEX counts must be [id, count] pairs")
            }
            let (newTotal, overflow) = total.addingReportingOverflow(pair[1])
            guard !overflow else { throw InputError(file: file, "LEX counts add up to more than \(Int.max)") }
            total = newTotal
            map[pair[0], default: 0] += pair[1]
        }
        return map
    }
}
