import Foundation
import XSNSStorage

/// Where a language's corpus is in a corpora folder: `<lang>.txt` (UTF-8, one sentence per line),
/// `<lang>.conllu` (a Universal Dependencies treebank: each sentence's FORM column, encoded as pre-split
/// words as the X-SNS reference feeds UD), or `<lang>.jsonl` / `<lang>.tsv` (records with a text field and
/// optionally a second segment). One kind per language.
public enum CorpusFiles {
    public static let extensions = ["txt", "conllu", "jsonl", "tsv"]

    /// The corpus file of `language`; nil when there is none. Both kinds for one language is an error:
    /// which one a session was computed from must never depend on a preference.
    public static func url(in directory: URL, language: String) throws -> URL? {
        let found = extensions.map { directory.appendingPathComponent("\(language).\($0)") }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
        guard found.count <= 1 else {
            throw InputError(file: directory.path, "has \(found.map(\.lastPathComponent).joined(separator: " and ")); keep one")
        }
        return found.first
    }

    /// Every language's corpus file in the folder, by language code.
    public static func all(in directory: URL) throws -> [(language: String, url: URL)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let languages = Set(names.compactMap { name -> String? in
            let url = URL(fileURLWithPath: name)
            return extensions.contains(url.pathExtension) && name.count > url.pathExtension.count + 1
                ? url.deletingPathExtension().lastPathComponent : nil
        })
        return try languages.sorted().compactMap { language in
            try url(in: directory, language: language).map { (language, $0) }
        }
    }
}
