import Foundation
import XSNSStorage

extension SessionManifest {
    /// Pretty, key-sorted JSON: diffs of session.json between runs stay readable.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        do {
            var data = try encoder.encode(self)
            data.append(UInt8(ascii: "\n"))
            return data
        } catch {
            throw RuntimeFailure("cannot encode the session manifest: \(error)")
        }
    }

    /// Parses and checks a manifest; corrupt, foreign or newer files are an `InputError` naming `file`.
    public static func decode(_ data: Data, file: String) throws -> SessionManifest {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw InputError(file: file, "corrupt session manifest: not a JSON object")
        }
        guard root["format"] as? String == formatName, let version = root["version"] as? Int else {
            throw InputError(file: file, "not an xsns session manifest (no \"format\": \"\(formatName)\" with a \"version\")")
        }
        guard version <= currentVersion else {
            throw InputError(file: file, "written by a newer xsns (session format version \(version)); this xsns reads up to version \(currentVersion): upgrade xsns")
        }
        guard version >= 1 else { throw InputError(file: file, "invalid session format version \(version)") }

        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let manifest: SessionManifest
        do { manifest = try decoder.decode(SessionManifest.self, from: data) } catch let error as DecodingError {
            throw InputError(file: file, "corrupt session manifest: \(describe(error))")
        } catch {
            throw InputError(file: file, "corrupt session manifest")
        }
        // JSONSerialization and JSONDecoder disagree on duplicate keys (last vs first wins): check the
        // decoded identity too, or a crafted file would be rewritten with a foreign format name.
        guard manifest.format == formatName, manifest.version == version else {
            throw InputError(file: file, "corrupt session manifest: \"format\" or \"version\" given twice")
        }
        try manifest.validate(file: file)
        return manifest
    }

    /// Values other code turns into paths and loop bounds must be sane.
    private func validate(file: String) throws {
        var seen = Set<String>()
        for run in runs {
            guard SessionPaths.isValidLanguage(run.language) else {
                throw InputError(file: file, "invalid language code '\(run.language)' in runs")
            }
            guard seen.insert("\(run.language)\u{0}\(run.seed)").inserted else {
                throw InputError(file: file, "run \(run.language) seed \(run.seed) is listed twice")
            }
            guard run.sentences >= 0, run.tokens >= 0, run.maskedTokens >= 0, run.skippedInvalidLines >= 0 else {
                throw InputError(file: file, "negative count in run \(run.language) seed \(run.seed)")
            }
            if let fisher = run.fisher, !SessionPaths.isSafeRelativePath(fisher) {
                throw InputError(file: file, "fisher path '\(fisher)' of run \(run.language) seed \(run.seed) leaves the session folder")
            }
        }
        for language in corpora?.files.keys.sorted() ?? [] where !SessionPaths.isValidLanguage(language) {
            throw InputError(file: file, "invalid language code '\(language)' in corpora")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing '\(path(context.codingPath + [key]))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type for '\(path(context.codingPath))'"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "invalid value for '\(path(context.codingPath))'"
        @unknown default:
            return "malformed"
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
