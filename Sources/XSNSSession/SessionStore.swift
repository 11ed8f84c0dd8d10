import Foundation
import XSNSStorage

/// A session folder on disk. Several processes may use one folder at once (one per language in
/// a Slurm array, say): every manifest change goes through `update`, which re-reads the file
/// under an exclusive lock, applies the change and writes atomically. Where that lock does not reach
/// across nodes (NFS without a lock daemon, Lustre `localflock`) two writers can still race on
/// session.json, so each changed run record is also written to its own `runs/<lang>.seed<k>.json`,
/// which only that run's claim holder writes, and `load` lays those over session.json: no run's
/// status is lost.
public struct SessionStore: Sendable {
    public let paths: SessionPaths
    public var folder: URL { paths.folder }

    public init(folder: URL) {
        paths = SessionPaths(folder: folder)
    }

    /// `--session NAME`: a folder under `Sessions/` of the current directory, or, when NAME
    /// contains a `/`, that path itself.
    public static func folder(
        forName name: String,
        sessionsRoot: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Sessions")
    ) throws -> URL {
        if name.contains("/") { return URL(fileURLWithPath: name).standardizedFileURL }
        guard !name.isEmpty, name != ".", name != "..", !name.hasPrefix("-") else {
            throw InputError("invalid session name '\(name)'")
        }
        return sessionsRoot.appendingPathComponent(name)
    }

    /// Opens the session, creating its folder and an empty manifest when there is none yet.
    public static func openOrCreate(folder: URL) throws -> SessionStore {
        let store = SessionStore(folder: folder)
        let fileManager = FileManager.default
        do {
            for subfolder in SessionPaths.subfolders {
                try fileManager.createDirectory(at: folder.appendingPathComponent(subfolder), withIntermediateDirectories: true)
            }
        } catch {
            throw RuntimeFailure("cannot create the session folder \(folder.path): \(error.localizedDescription)")
        }
        // Partial files of writers that were killed on this host would otherwise pile up.
        for subfolder in [""] + SessionPaths.subfolders {
            TemporaryName.removeAbandoned(in: folder.appendingPathComponent(subfolder))
        }
        if !fileManager.fileExists(atPath: store.paths.manifest.path) {
            try store.update { _ in }
        }
        return store
    }

    /// Opens an existing session; a folder without `session.json` is an `InputError`.
    public static func open(folder: URL) throws -> SessionStore {
        let store = SessionStore(folder: folder)
        guard FileManager.default.fileExists(atPath: store.paths.manifest.path) else {
            throw InputError(file: folder.path, "no session here (no session.json); `xsns compute --session …` creates one")
        }
        return store
    }

    /// The manifest as it is on disk now. No lock is needed: writes are atomic renames.
    public func load() throws -> SessionManifest {
        let url = paths.manifest
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw InputError(file: url.path, "cannot read: \(error.localizedDescription)")
        }
        var manifest = try SessionManifest.decode(data, file: url.path)
        RunStatusFiles.overlay(on: &manifest, paths: paths)
        return manifest
    }

    /// Applies `change` to the current manifest and saves it, atomically and under the
    /// session's exclusive lock (merge on write). Returns the manifest as saved.
    @discardableResult
    public func update(_ change: (inout SessionManifest) throws -> Void) throws -> SessionManifest {
        let lock = try FileLock(url: paths.manifestLock)
        try lock.lock()
        defer { lock.unlock() }
        var manifest = FileManager.default.fileExists(atPath: paths.manifest.path) ? try load() : SessionManifest()
        let before = manifest.runs
        try change(&manifest)
        manifest.updated = Timestamp.string()
        try RunStatusFiles.write(manifest.runs.filter { !before.contains($0) }, of: manifest, paths: paths)
        try AtomicFile.write(try manifest.encoded(), to: paths.manifest)
        return manifest
    }

    /// Claims one (language, seed) for this process; see `RunClaim`.
    public func claim(language: String, seed: Int) throws -> RunClaim {
        try SessionPaths.checkLanguage(language)
        return try RunClaim(folder: paths.claim(language: language, seed: seed), language: language, seed: seed)
    }
}
