import Foundation
import XSNSStorage

/// One sentence of a treebank: its words (FORM) and their part-of-speech tags (UPOS), with the file line
/// of each word so that a later complaint about a tag can name it.
public struct TaggedSentence: Equatable, Sendable {
    public var words: [String]
    public var tags: [String]
    public var lines: [Int]
    public var file: String

    public init(words: [String], tags: [String], lines: [Int], file: String) {
        self.words = words
        self.tags = tags
        self.lines = lines
        self.file = file
    }
}

/// A reader of the CoNLL-U columns the probe needs (FORM and UPOS). Comments are skipped, as are
/// multiword ranges (`1-2`, whose words follow on their own lines) and empty nodes (`1.1`, not part of
/// the surface sentence). Everything else must be a word line of 10 tab-separated columns whose IDs
/// count 1, 2, 3… within the sentence; the first line that is not gives one error naming file and line.
public enum CoNLLU {
    public static func read(_ url: URL) throws -> [TaggedSentence] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw InputError(file: url.path, "cannot read: \(error.localizedDescription)")
        }
        return try parse(data, file: url.path)
    }

    public static func parse(_ data: Data, file: String) throws -> [TaggedSentence] {
        var sentences: [TaggedSentence] = []
        var current = TaggedSentence(words: [], tags: [], lines: [], file: file)
        func close() {
            if !current.words.isEmpty { sentences.append(current) }
            current = TaggedSentence(words: [], tags: [], lines: [], file: file)
        }
        var lineNumber = 0
        for rawLine in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard var line = String(validating: rawLine, as: UTF8.self) else {
                throw InputError(file: file, "line \(lineNumber): not valid UTF-8")
            }
            if line.hasSuffix("\r") { line.removeLast() }
            if lineNumber == 1, line.hasPrefix("\u{FEFF}") { line.removeFirst() }
            if line.allSatisfy(\.isWhitespace) {
                close()
                continue
            }
            if line.hasPrefix("#") { continue }
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count == 10 else {
                throw InputError(file: file, "line \(lineNumber): expected 10 tab-separated columns, found \(columns.count)")
            }
            let id = columns[0]
            if let separator = id.first(where: { $0 == "-" || $0 == "." }) {
                let parts = id.split(separator: separator, omittingEmptySubsequences: false)
                guard parts.count == 2, parts.allSatisfy(isNumber) else {
                    throw InputError(file: file, "line \(lineNumber): ID '\(id)' is neither a word, a range nor an empty node")
                }
                continue
            }
            guard isNumber(id), let index = Int(id), index >= 1 else {
                throw InputError(file: file, "line \(lineNumber): ID '\(id)' is not a word index")
            }
            guard index == current.words.count + 1 else {
                throw InputError(file: file, "line \(lineNumber): word ID \(index) where \(current.words.count + 1) was expected")
            }
            current.words.append(String(columns[1]))
            current.tags.append(String(columns[3]))
            current.lines.append(lineNumber)
        }
        close()
        return sentences
    }

    /// Digits only (no sign, no blank): what CoNLL-U IDs are made of.
    private static func isNumber(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
