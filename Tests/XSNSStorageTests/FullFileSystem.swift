import Foundation

/// A tiny tmpfs mounted on a fresh folder, to test what happens when the disk is full. Needs
/// root with mount rights (CI containers often lack them): nil then, and the test says so.
struct FullFileSystem {
    let url: URL

    init?(bytes: Int, at url: URL) {
        self.url = url
        guard getuid() == 0, Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", url.path]) else {
            return nil
        }
    }

    func unmount() {
        _ = Self.run("/bin/umount", [url.path])
    }

    private static func run(_ tool: String, _ arguments: [String]) -> Bool {
        guard FileManager.default.isExecutableFile(atPath: tool) else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
