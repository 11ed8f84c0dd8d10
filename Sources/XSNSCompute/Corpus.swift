import Foundation
import XSNSEngine
import XSNSSession
import XSNSStorage
import XSNSTokenizers

/// One language's text: `<lang>.txt`, UTF-8, one sentence per line (blank lines are skipped; lines that
/// are not valid UTF-8 are skipped and counted, never fatal), `<lang>.conllu`, a treebank whose
/// sentences are lists of words (FORM), tokenized as pre-split words, or `<lang>.jsonl` / `<lang>.tsv`,
/// records with a text field and optionally a second segment (`RecordCorpus.swift`).
public struct Corpus: Sendable {
    public let language: String
    public let url: URL
    /// The usable lines in file order, without line terminators; for a treebank each sentence's words
    /// joined by spaces (for the commands that take running text).
    public let lines: [String]
    /// A treebank's sentences as words; nil for a `.txt` corpus.
    public let words: [[String]]?
    /// Each record's second segment (a sentence pair); nil unless `--pair-field` named one.
    public let pairs: [String]?
    public let blankLines: Int
    public let invalidLines: Int

    public init(language: String, url: URL, lines: [String], words: [[String]]? = nil, pairs: [String]? = nil,
                blankLines: Int = 0, invalidLines: Int = 0) {
        precondition(words == nil || words?.count == lines.count, "one word list per line")
        precondition(pairs == nil || pairs?.count == lines.count, "one second segment per line")
        self.language = language
        self.url = url
        self.lines = lines
        self.words = words
        self.pairs = pairs
        self.blankLines = blankLines
        self.invalidLines = invalidLines
    }

    /// Sentence `index` as token ids with special tokens: a line as `tokenizer.encode(line)`, a treebank
    /// sentence as pre-split words (Hugging Face's `is_split_into_words=True`).
    public func encode(_ index: Int, tokenizer: Tokenizer, maxLength: Int?) -> [Int32] {
        encodeWithTypes(index, tokenizer: tokenizer, maxLength: maxLength).ids
    }

    /// Sentence `index` as ids and, for a pair, the tokens' types (nil when every type is 0): a pair as
    /// `tokenizer.encode(text, pair)` with longest-first truncation.
    public func encodeWithTypes(_ index: Int, tokenizer: Tokenizer, maxLength: Int?) -> (ids: [Int32], types: [Int32]?) {
        if let pairs {
            let encoding = tokenizer.encode(lines[index], pair: pairs[index], maxLength: maxLength)
            let types = encoding.segmentIds
            return (encoding.ids.map { Int32($0) }, types.contains { $0 != 0 } ? types.map { Int32($0) } : nil)
        }
        let encoding = words.map { tokenizer.encode(words: $0[index], maxLength: maxLength).encoding }
            ?? tokenizer.encode(lines[index], maxLength: maxLength)
        return (encoding.ids.map { Int32($0) }, nil)
    }

    /// Reads `url`; the language code is the file name without its extension. `fields` say where a
    /// `.jsonl` or `.tsv` corpus keeps its text (and second segment).
    public static func load(_ url: URL, fields: CorpusFields = CorpusFields()) throws -> Corpus {
        if holdsRecords(url) { return try loadRecords(url, fields: fields) }
        guard fields == CorpusFields() else {
            throw InputError(file: url.path, "--text-field and --pair-field apply to .jsonl and .tsv corpora, not this one")
        }
        if url.pathExtension == "conllu" {
            let sentences = try CoNLLU.read(url)
            guard !sentences.isEmpty else { throw InputError(file: url.path, "treebank has no sentence") }
            return Corpus(language: url.deletingPathExtension().lastPathComponent, url: url,
                          lines: sentences.map { $0.words.joined(separator: " ") }, words: sentences.map(\.words))
        }
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw InputError(file: url.path, "cannot read corpus file (\(Self.reason(error)))")
        }
        var lines: [String] = []
        var blank = 0
        var invalid = 0
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var bytes = raw.bindMemory(to: UInt8.self)[...]
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
            while !bytes.isEmpty {
                let end = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
                var line = bytes[bytes.startIndex..<end]
                if line.last == 0x0D { line = line.dropLast() }
                bytes = end == bytes.endIndex ? bytes[end...] : bytes[(end + 1)...]
                guard let text = String(validating: line, as: UTF8.self) else {
                    invalid += 1
                    continue
                }
                if text.allSatisfy(\.isWhitespace) {
                    blank += 1
                } else {
                    lines.append(text)
                }
            }
        }
        let language = url.deletingPathExtension().lastPathComponent
        guard !lines.isEmpty else {
            throw InputError(file: url.path, "corpus file has no usable lines"
                + (invalid > 0 ? " (\(invalid) invalid UTF-8 line(s) skipped)" : ""))
        }
        return Corpus(language: language, url: url, lines: lines, blankLines: blank, invalidLines: invalid)
    }

    /// The corpus files (`<lang>.txt`, `.conllu`, `.jsonl` or `.tsv`) of `directory`: all of them, or exactly
    /// `languages` in that order.
    public static func files(in directory: URL, languages: [String]?) throws -> [(language: String, url: URL)] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw InputError(file: directory.path, "corpora directory does not exist")
        }
        if let languages {
            return try languages.map { language in
                guard let url = try CorpusFiles.url(in: directory, language: language) else {
                    throw InputError(file: directory.appendingPathComponent("\(language).txt").path,
                                     "no corpus file for language '\(language)' (\(language).txt, .conllu, .jsonl or .tsv)")
                }
                return (language, url)
            }
        }
        let found = try CorpusFiles.all(in: directory)
        guard !found.isEmpty else {
            throw InputError(file: directory.path, "no corpus files (<lang>.txt, .conllu, .jsonl or .tsv) in this directory")
        }
        return found
    }

    /// `count` sentence indices drawn without replacement with `seed` (a partial Fisher–Yates shuffle, so
    /// the same seed gives the same sentences in the same order); all of them when there are fewer.
    public func sampleIndices(count: Int, seed: UInt64) -> [Int] {
        var indices = Array(lines.indices)
        let take = min(max(count, 0), indices.count)
        // Not the masking stream's seed: the same draws would tie which tokens are masked to which
        // lines were drawn.
        var random = SeededRandom(seed: seed ^ 0xC0_4B05_5A4D_91E5)
        for position in 0..<take {
            indices.swapAt(position, position + random.nextInt(below: indices.count - position))
        }
        return Array(indices.prefix(take))
    }

    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoSuchFileError {
            return "no such file"
        }
        return nsError.localizedDescription
    }
}
