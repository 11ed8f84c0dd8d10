import Foundation
import XSNSCompute
import XSNSStorage

/// A folder of CoNLL-U files named `<lang>…<split>….conllu` (UD's own `fi_tdt-ud-test.conllu` or
/// `fi-tdt-test.conllu`): a file belongs to a language when its name starts with the code followed by
/// `_`, `-` or `.`, and to a split when one of the name's parts between `_`, `-` and `.` is exactly
/// `train`, `dev` or `test` (so `pt_dantestocks-ud-dev.conllu` is dev, not test).
public struct TreebankFolder: Sendable {
    public enum Split: String, CaseIterable, Sendable { case train, dev, test }

    public let directory: URL
    private let names: [String]

    public init(directory: URL) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw InputError(file: directory.path, "no such treebank folder")
        }
        self.directory = directory
        names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".conllu") }.sorted()
    }

    /// The files of `language` in `splits`, sorted by name.
    public func files(_ language: String, _ splits: [Split]) -> [URL] {
        names.filter { name in
            guard name.hasPrefix(language), let next = name.dropFirst(language.count).first, "_-.".contains(next)
            else { return false }
            let parts = name.dropLast(".conllu".count).split(whereSeparator: { "_-.".contains($0) })
            return splits.contains { split in parts.dropFirst().contains { $0 == split.rawValue } }
        }.map { directory.appendingPathComponent($0) }
    }

    /// Languages that have a file in one of `splits`.
    public func languages(with splits: [Split]) -> [String] {
        let codes = names.compactMap { name in name.split(whereSeparator: { "_-.".contains($0) }).first.map(String.init) }
        return Set(codes).filter { !files($0, splits).isEmpty }.sorted()
    }

    /// Every sentence of `language`'s files in `splits`; one clear error when there is none.
    public func sentences(_ language: String, _ splits: [Split]) throws -> [TaggedSentence] {
        let urls = files(language, splits)
        let wanted = splits.map(\.rawValue).joined(separator: " or ")
        guard !urls.isEmpty else {
            throw InputError(file: directory.path, "no \(wanted) treebank for '\(language)' (\(language)*\(splits[0].rawValue)*.conllu)")
        }
        let sentences = try urls.flatMap(CoNLLU.read)
        guard !sentences.isEmpty else { throw InputError(file: urls[0].path, "the \(wanted) treebank of '\(language)' has no word") }
        return sentences
    }
}
