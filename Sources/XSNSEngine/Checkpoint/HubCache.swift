import Foundation

/// Where the Hugging Face tools keep downloaded repositories, following `huggingface_hub`'s own
/// precedence so that whatever `huggingface-cli download` wrote is found here.
enum HubCache {
    static func root(environment: [String: String]) -> URL {
        if let hubCache = nonEmpty(environment["HF_HUB_CACHE"]) ?? nonEmpty(environment["HUGGINGFACE_HUB_CACHE"]) {
            return URL(fileURLWithPath: expandingTilde(hubCache, environment))
        }
        if let home = nonEmpty(environment["HF_HOME"]) {
            return URL(fileURLWithPath: expandingTilde(home, environment)).appendingPathComponent("hub")
        }
        let cache = nonEmpty(environment["XDG_CACHE_HOME"]).map { expandingTilde($0, environment) }
            ?? homeDirectory(environment) + "/.cache"
        return URL(fileURLWithPath: cache).appendingPathComponent("huggingface/hub")
    }

    /// `models--ORG--NAME` (or `models--NAME` for an id without organisation).
    static func folderName(repository: String) -> String {
        "models--" + repository.replacingOccurrences(of: "/", with: "--")
    }

    /// The snapshot `refs/main` points to; without refs (a download of a pinned revision), the
    /// only snapshot there is. nil when the repository folder holds no usable snapshot.
    static func snapshot(in repositoryFolder: URL) -> URL? {
        let fileManager = FileManager.default
        let snapshots = repositoryFolder.appendingPathComponent("snapshots")
        if let reference = try? String(contentsOf: repositoryFolder.appendingPathComponent("refs/main"), encoding: .utf8) {
            let commit = reference.trimmingCharacters(in: .whitespacesAndNewlines)
            let isCommitName = !commit.isEmpty && commit.allSatisfy { $0.isLetter || $0.isNumber }
            let folder = snapshots.appendingPathComponent(commit)
            if isCommitName, isDirectory(folder) { return folder }
        }
        let entries = ((try? fileManager.contentsOfDirectory(atPath: snapshots.path)) ?? [])
            .filter { !$0.hasPrefix(".") && isDirectory(snapshots.appendingPathComponent($0)) }
        return entries.count == 1 ? snapshots.appendingPathComponent(entries[0]) : nil
    }

    static func isDirectory(_ url: URL) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &directory) && directory.boolValue
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    private static func homeDirectory(_ environment: [String: String]) -> String {
        nonEmpty(environment["HOME"]) ?? NSHomeDirectory()
    }

    static func expandingTilde(_ path: String, _ environment: [String: String]) -> String {
        if path == "~" { return homeDirectory(environment) }
        if path.hasPrefix("~/") { return homeDirectory(environment) + path.dropFirst() }
        return path
    }
}
