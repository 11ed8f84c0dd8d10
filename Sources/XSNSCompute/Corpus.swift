import Foundation
import XSNSEngine
import XSNSStorage

/// One language's raw text: `<lang>.txt`, UTF-8, one sentence per line.
/// Blank lines are skipped; lines that are not valid UTF-8 are skipped and counted, never fatal.
public struct Corpus: Sendable {
    public let language: String
    public let url: URL
    /// The usable lines in file order, without line terminators.
    public let lines: [String]
    public let blankLines: Int
    public let invalidLines: Int

    public init(language: String, url: URL, lines: [String], blankLines: Int = 0, invalidLines: Int = 0) {
        self.language = language
        self.url = url
        self.lines = lines
        self.blankLines = blankLines
        self.invalidLines = invalidLines
    }

    /// Reads `url`; the language code is the file name without `.txt`.
    public static func load(_ url: URL) throws -> Corpus {
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

    /// The `<lang>.txt` files of `directory`: all of them, or exactly `languages` in that order.
    public static func files(in directory: URL, languages: [String]?) throws -> [(language: String, url: URL)] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw InputError(file: directory.path, "corpora directory does not exist")
        }
        if let languages {
            return try languages.map { language in
                let url = directory.appendingPathComponent("\(language).txt")
                guard FileManager.default.fileExists(atPath: url.path) else {
                    throw InputError(file: url.path, "no corpus file for language '\(language)'")
                }
                return (language, url)
            }
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let found = names.filter { $0.hasSuffix(".txt") && $0.count > 4 }.sorted().map {
            (language: String($0.dropLast(4)), url: directory.appendingPathComponent($0))
        }
        guard !found.isEmpty else {
            throw InputError(file: directory.path, "no <lang>.txt corpus files in this directory")
        }
        return found
    }

    /// `count` lines drawn without replacement with `seed` (a partial Fisher–Yates shuffle, so the
    /// same seed gives the same sentences in the same order); all lines when there are fewer.
    public func sample(count: Int, seed: UInt64) -> [String] {
        var indices = Array(lines.indices)
        let take = min(max(count, 0), indices.count)
        // Not the masking stream's seed: the same draws would tie which tokens are masked to which
        // lines were drawn.
        var random = SeededRandom(seed: seed ^ 0xC0_4B05_5A4D_91E5)
        for position in 0..<take {
            indices.swapAt(position, position + random.nextInt(below: indices.count - position))
        }
        return indices.prefix(take).map { lines[$0] }
    }

    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoSuchFileError {
            return "no such file"
        }
        return nsError.localizedDescription
    }
}
