#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import XSNSStorage

/// The numbered claim files of one (language, seed) (`RunClaim`): finding the current one and reading
/// what it says.
enum ClaimFiles {
    struct File {
        let generation: Int
        let url: URL
    }

    struct State {
        let owner: ClaimOwner?
        let heartbeat: Date
        /// Emptied and dated 1970 by `release()`.
        let released: Bool
        let isLive: Bool
    }

    static func url(_ folder: URL, _ generation: Int) -> URL {
        folder.appendingPathComponent("\(generation).claim")
    }

    static func latest(in folder: URL) -> File? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return nil }
        let generation = names.compactMap { name -> Int? in
            guard name.hasSuffix(".claim") else { return nil }
            return Int(name.dropLast(".claim".count)).flatMap { $0 > 0 ? $0 : nil }
        }.max()
        return generation.map { File(generation: $0, url: url(folder, $0)) }
    }

    /// nil when the file vanished meanwhile (a newer claim cleaned it up). Opened first and read through
    /// the descriptor, so its time and content are of one file, and fresh (NFS revalidates on open).
    static func state(of file: File) -> State? {
        let descriptor = open(file.url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        let heartbeat = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        let data = count > 0 ? Data(buffer[0..<count]) : Data()
        let owner = data.isEmpty ? nil : try? JSONDecoder().decodeScreened(ClaimOwner.self, from: data)
        let released = data.isEmpty && info.st_mtim.tv_sec == 0
        let age = Date().timeIntervalSince(heartbeat)
        let live: Bool
        if released {
            live = false
        } else if let owner {
            // A requeued Slurm task finds the claim of its own earlier run (killed with its node, say).
            let earlierSelf = owner.job != nil && owner.job == ClaimOwner.currentJob
                && !(owner.host == ClaimOwner.localHost && owner.pid == getpid())
            live = age <= max(RunClaim.timeToLive, owner.ttl ?? 0) && !earlierSelf
                && !(owner.host == ClaimOwner.localHost && !processExists(owner.pid))
        } else {
            // Claims are linked into place whole (`create`), so one that names nobody is damage.
            live = false
        }
        return State(owner: owner, heartbeat: heartbeat, released: released, isLive: live)
    }

    /// Creates `url` holding `data` in one step: written and synced to a file private to this process, then
    /// hard-linked to `url` (fails with EEXIST when another contender's link came first). false when `url`
    /// exists. Over NFS a link whose reply was lost may report failure having succeeded; the private file's
    /// link count tells.
    static func create(_ url: URL, holding data: Data, owner: ClaimOwner) throws -> Bool {
        let name = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(owner.host).\(owner.pid).\(UUID().uuidString).tmp")
        let descriptor = open(name.path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw RuntimeFailure("cannot create \(name.path): \(String(cString: strerror(errno)))")
        }
        defer { unlink(name.path) }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = written == data.count && fsync(descriptor) == 0
        let reason = String(cString: strerror(errno))
        close(descriptor)
        guard synced else { throw RuntimeFailure("cannot write the claim file \(name.path): \(reason)") }
        if link(name.path, url.path) == 0 { return true }
        let linkError = errno
        var info = stat()
        if stat(name.path, &info) == 0 && info.st_nlink == 2 { return true }
        guard linkError == EEXIST else {
            throw RuntimeFailure("cannot create the claim file \(url.path): \(String(cString: strerror(linkError)))")
        }
        return false
    }

    /// Keeps the folder to the current claim (best effort: a file another process removes first is fine).
    static func removeOlder(than generation: Int, in folder: URL) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasSuffix(".claim") {
            if let number = Int(name.dropLast(".claim".count)), number < generation {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            }
        }
    }

    private static func processExists(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno != ESRCH
    }
}
