/// Compares what a session was computed from with what is on disk now, so that loading a
/// session whose model or corpora changed says so instead of silently mixing results.
extension SessionManifest {
    /// One human-readable line per difference; empty when nothing changed.
    public func changes(model current: ModelRecord?, tokenizer currentTokenizer: FileFingerprint?,
                        corpora currentCorpora: CorporaRecord?) -> [String] {
        var lines: [String] = []
        if let recorded = model, let current {
            lines += Self.fileChanges(recorded.files, current.files, what: "model file")
        }
        if let recorded = tokenizer, let currentTokenizer, !recorded.sameContent(as: currentTokenizer) {
            lines.append("tokenizer \(recorded.file) changed since the session was computed")
        }
        if let recorded = corpora, let currentCorpora {
            for language in recorded.files.keys.sorted() {
                guard let before = recorded.files[language] else { continue }
                if let now = currentCorpora.files[language] {
                    if !before.sameContent(as: now) {
                        lines.append("corpus \(before.file) (\(language)) changed since the session was computed")
                    }
                } else {
                    lines.append("corpus \(before.file) (\(language)) is missing from \(currentCorpora.directory)")
                }
            }
        }
        return lines
    }

    private static func fileChanges(_ recorded: [FileFingerprint], _ current: [FileFingerprint], what: String) -> [String] {
        var lines: [String] = []
        for before in recorded {
            guard let now = current.first(where: { $0.file == before.file }) else {
                lines.append("\(what) \(before.file) is gone")
                continue
            }
            if !before.sameContent(as: now) { lines.append("\(what) \(before.file) changed since the session was computed") }
        }
        for now in current where !recorded.contains(where: { $0.file == now.file }) {
            lines.append("\(what) \(now.file) is new since the session was computed")
        }
        return lines
    }
}
