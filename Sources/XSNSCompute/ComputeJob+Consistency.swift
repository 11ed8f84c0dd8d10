import Foundation
import XSNSSession
import XSNSStorage

extension ComputeJob {
    /// One session, one model and one setting of the Fisher options: mixing them would make the
    /// similarities meaningless, so it is refused with what differs.
    static func checkConsistency(
        _ manifest: SessionManifest, model: ModelRecord, tokenizer: FileFingerprint,
        corpora: [String: FileFingerprint], options: ComputeOptions, session: String
    ) throws {
        let hasResults = manifest.runs.contains { $0.status == .done || $0.status == .running }
        guard hasResults else { return }
        var problems = manifest.changes(model: model, tokenizer: tokenizer, corpora: nil)
        if let recorded = manifest.model, recorded.spec != model.spec, problems.isEmpty,
           recorded.files.map(\.sha256) != model.files.map(\.sha256) {
            problems.append("model \(recorded.spec) differs from \(model.spec)")
        }
        for (language, print) in corpora {
            let done = manifest.runs.contains { $0.language == language && $0.status == .done }
            if done, let before = manifest.corpora?.files[language], !before.sameContent(as: print) {
                problems.append("corpus \(print.file) changed since \(language) was computed")
            }
        }
        if let recorded = manifest.options {
            problems += options.conflicts(with: recorded).map { "the session was computed with \($0)" }
        }
        if let first = problems.first {
            let more = problems.count > 1 ? " (and \(problems.count - 1) more difference(s))" : ""
            throw InputError(file: session, "\(first)\(more); use a new --session for a different setting")
        }
    }
}
