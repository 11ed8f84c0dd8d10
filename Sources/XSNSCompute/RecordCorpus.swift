import Foundation
import XSNSStorage

/// Which fields of a `<lang>.jsonl` or `<lang>.tsv` corpus hold the text and, for sentence pairs (PAWS-X,
/// XNLI), the second segment (`--text-field`, `--pair-field`).
public struct CorpusFields: Codable, Equatable, Sendable {
    public var text: String
    public var pair: String?

    public init(text: String = "text", pair: String? = nil) {
        self.text = text
        self.pair = pair
    }
}

extension Corpus {
    /// Whether `url` is a record corpus (`.jsonl`, `.tsv`), the only kind `CorpusFields` apply to.
    public static func holdsRecords(_ url: URL) -> Bool { ["jsonl", "tsv"].contains(url.pathExtension) }

    /// A `.jsonl` corpus (one JSON object per line, the fields strings) or a `.tsv` one (a header row naming
    /// the columns, then one record per line, tab-separated, fields unquoted as PAWS-X and XNLI ship them).
    /// Blank lines are skipped; a record without the fields, or a line that is not a record, is an error
    /// naming the file and line.
    static func loadRecords(_ url: URL, fields: CorpusFields) throws -> Corpus {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw InputError(file: url.path, "cannot read the corpus as UTF-8 text")
        }
        // "\r\n" is one Character in Swift: both line ends are separators.
        var rows = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
        if let first = rows.first, first.hasPrefix("\u{FEFF}") { rows[0] = String(first.dropFirst()) }
        var texts: [String] = [], pairs: [String] = [], blank = 0
        let columns: [String]? = url.pathExtension == "tsv" ? rows.first.map { $0.components(separatedBy: "\t") } : nil
        if url.pathExtension == "tsv" {
            guard let columns, columns.contains(fields.text), fields.pair.map(columns.contains) ?? true else {
                throw InputError(file: url.path, "its header names no column '\(fields.text)'"
                                 + (fields.pair.map { " or '\($0)'" } ?? "") + " (columns: \((columns ?? []).joined(separator: ", ")))")
            }
        }
        for (index, row) in rows.enumerated() where !(columns != nil && index == 0) {
            if row.allSatisfy(\.isWhitespace) {
                blank += 1
                continue
            }
            let record = try Self.record(row, columns: columns, fields: fields, file: url.path, line: index + 1)
            texts.append(record.text)
            if let pair = record.pair { pairs.append(pair) }
        }
        guard !texts.isEmpty else { throw InputError(file: url.path, "corpus file has no record") }
        return Corpus(language: url.deletingPathExtension().lastPathComponent, url: url, lines: texts,
                      pairs: fields.pair == nil ? nil : pairs, blankLines: blank)
    }

    private static func record(_ row: String, columns: [String]?, fields: CorpusFields, file: String, line: Int) throws
        -> (text: String, pair: String?)
    {
        var values: [String: String] = [:]
        if let columns {
            let fieldsOfRow = row.components(separatedBy: "\t")
            guard fieldsOfRow.count == columns.count else {
                throw InputError(file: file, "line \(line): \(fieldsOfRow.count) fields where the header has \(columns.count)")
            }
            for (name, value) in zip(columns, fieldsOfRow) { values[name] = value }
        } else {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(row.utf8))) as? [String: Any] else {
                throw InputError(file: file, "line \(line) is not a JSON object")
            }
            for name in [fields.text] + (fields.pair.map { [$0] } ?? []) {
                guard let value = object[name] else { continue }
                guard let string = value as? String else { throw InputError(file: file, "line \(line): field '\(name)' is not a string") }
                values[name] = string
            }
        }
        guard let text = values[fields.text] else {
            throw InputError(file: file, "line \(line) has no text field '\(fields.text)'")
        }
        guard let name = fields.pair else { return (text, nil) }
        guard let pair = values[name] else { throw InputError(file: file, "line \(line) has no pair field '\(name)'") }
        return (text, pair)
    }
}
