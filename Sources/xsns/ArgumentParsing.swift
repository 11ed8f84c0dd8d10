import Foundation
import XSNSStorage

/// Comma-separated option values (`--langs a,b`, `--seeds 42,16`), blanks dropped; nil when none.
func parseList(_ text: String?) -> [String]? {
    guard let text else { return nil }
    let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    return items.isEmpty ? nil : items
}

func parseSeeds(_ text: String) throws -> [Int] {
    try (parseList(text) ?? []).map {
        guard let seed = Int($0) else { throw InputError("--seeds: '\($0)' is not a whole number") }
        return seed
    }
}

/// `--pair A,B`: exactly two language codes.
func parsePair(_ text: String) throws -> (String, String) {
    let languages = text.split(separator: ",")
        .map { $0.trimmingCharacters(in: .whitespaces) }
    guard languages.count == 2, languages.allSatisfy({ !$0.isEmpty }) else {
        throw InputError("--pair expects two languages as A,B (got '\(text)')")
    }
    return (languages[0], languages[1])
}
