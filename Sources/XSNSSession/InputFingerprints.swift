import Foundation

extension ModelRecord {
    /// Fingerprints a checkpoint's files (config and weights, in the order given), reusing the
    /// hashes of `previous` for files whose size and time did not change.
    public static func fingerprint(
        spec: String, directory: URL, files: [URL], reusing previous: ModelRecord? = nil
    ) throws -> ModelRecord {
        let fingerprints = try files.map { url in
            try FileFingerprint.of(url, reusing: previous?.files.first { $0.file == url.lastPathComponent })
        }
        return ModelRecord(spec: spec, directory: directory.path, files: fingerprints)
    }
}

extension CorporaRecord {
    /// Fingerprints each language's corpus file (`<lang>.txt` or `<lang>.conllu`), reusing unchanged hashes
    /// of `previous`.
    public static func fingerprint(
        directory: URL, languages: [String], reusing previous: CorporaRecord? = nil
    ) throws -> CorporaRecord {
        var files: [String: FileFingerprint] = [:]
        for language in languages {
            try SessionPaths.checkLanguage(language)
            let url = try CorpusFiles.url(in: directory, language: language)
                ?? directory.appendingPathComponent("\(language).txt")
            files[language] = try FileFingerprint.of(url, reusing: previous?.files[language])
        }
        return CorporaRecord(directory: directory.path, files: files)
    }
}
