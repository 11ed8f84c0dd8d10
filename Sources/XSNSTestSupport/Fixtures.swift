import Foundation

/// Locates committed fixtures and the optional shared data beside the repository.
public enum Fixtures {
    /// The repository root, found from this file's own location so tests run from any directory.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // XSNSTestSupport
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()

    /// `Tests/Fixtures`, written by `Tests/FixtureGenerator`.
    public static let root: URL = repositoryRoot.appendingPathComponent("Tests/Fixtures")

    public static func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    /// `../shared` (or `$XSNS_SHARED`), or nil in a user's clone where it is absent:
    /// tests that read it skip themselves then.
    public static var shared: URL? {
        let candidate: URL
        if let override = ProcessInfo.processInfo.environment["XSNS_SHARED"] {
            candidate = URL(fileURLWithPath: override)
        } else {
            candidate = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
        }
        return FileManager.default.fileExists(atPath: candidate.appendingPathComponent("corpora").path)
            ? candidate : nil
    }

    /// A treebank folder for the probe: `Tests/Fixtures/probe/tiny.conllu` as training data (language
    /// "xx") and as the test data of de and en.
    public static func probeTreebanks() throws -> URL {
        let folder = try temporaryDirectory()
        let tiny = try Data(contentsOf: url("probe/tiny.conllu"))
        for name in ["xx-tiny-train.conllu", "de-tiny-test.conllu", "en-tiny-test.conllu"] {
            try tiny.write(to: folder.appendingPathComponent(name))
        }
        return folder
    }

    /// A fresh empty directory, unique per call, inside this process's test folder (removed when the
    /// process exits, so a run of the suite leaves nothing in the system temp folder).
    public static func temporaryDirectory(_ label: String = "xsns-test") throws -> URL {
        let url = processFolder.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// `<temp>/xsns-t<pid>`, created on first use and removed at exit (short: sessions' paths go in
    /// messages and tests compare them).
    private static let processFolder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("xsns-t\(getpid())")
        try? FileManager.default.removeItem(at: url)  // a dead process's, with the same id
        processFolderPath = url.path
        atexit { if let path = processFolderPath { try? FileManager.default.removeItem(atPath: path) } }
        return url
    }()
}

/// The process's test folder, for the exit handler (a C function pointer cannot capture).
nonisolated(unsafe) private var processFolderPath: String?
