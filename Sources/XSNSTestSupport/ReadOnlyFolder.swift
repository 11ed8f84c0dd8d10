import Foundation

/// Makes a folder unwritable for the duration of a test. `chmod` does not stop root, so when the
/// tests run as root the folder is made immutable with `chattr +i` instead; nil when neither works.
public struct ReadOnlyFolder {
    public let url: URL
    public let usedChattr: Bool

    public init?(_ url: URL) {
        self.url = url
        try? FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: url.path)
        if !Self.isWritable(url) {
            usedChattr = false
            return
        }
        if Self.chattr("+i", url), !Self.isWritable(url) {
            usedChattr = true
            return
        }
        try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return nil
    }

    public func restore() {
        if usedChattr { _ = Self.chattr("-i", url) }
        try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }

    private static func isWritable(_ folder: URL) -> Bool {
        let probe = folder.appendingPathComponent(".probe-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: probe.path, contents: Data()) else { return false }
        try? FileManager.default.removeItem(at: probe)
        return true
    }

    private static func chattr(_ flag: String, _ folder: URL) -> Bool {
        for tool in ["/usr/bin/chattr", "/bin/chattr"] where FileManager.default.isExecutableFile(atPath: tool) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = [flag, folder.path]
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return false }
            process.waitUntilExit()
            return process.terminationStatus == 0
        }
        return false
    }
}
