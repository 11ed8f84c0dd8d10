#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import XSNSStorage

/// Who holds a claim.
public struct ClaimOwner: Codable, Equatable, Sendable, CustomStringConvertible {
    public var pid: Int32
    public var host: String
    /// When the claim was taken (ISO 8601 UTC).
    public var started: String

    public init(pid: Int32, host: String, started: String) {
        self.pid = pid
        self.host = host
        self.started = started
    }

    public static func current() -> ClaimOwner {
        ClaimOwner(pid: getpid(), host: ProcessInfo.processInfo.hostName, started: Timestamp.string())
    }

    public var description: String { "pid \(pid) on \(host) since \(started)" }
}

/// A second process asked for a (language, seed) that another one is computing.
public struct ClaimHeld: Error, CustomStringConvertible, Sendable {
    public let language: String
    public let seed: Int
    /// nil when the holder has not written its name yet (it is starting this very moment).
    public let holder: ClaimOwner?
    public let file: String

    public var description: String {
        let who = holder.map { "by \($0)" } ?? "by another process"
        return "\(language) seed \(seed) is already being computed \(who) (claim file \(file))"
    }
}

/// Exclusive right to compute one (language, seed) of a session, held until `release()` or
/// the end of the process. It is a `flock` on `claims/<lang>.seed<k>.lock`, so a claim dies with
/// its process (even `kill -9`); the file also names the holder for the refusal message.
/// Where flock is unavailable (some network file systems), the recorded pid decides instead:
/// a claim whose pid no longer runs on this host is stale and taken over.
public final class RunClaim: @unchecked Sendable {
    public let language: String
    public let seed: Int
    public let owner: ClaimOwner
    /// The holder of a claim left behind by a process that died, which this claim replaced.
    public let takenOverFrom: ClaimOwner?

    private let lock: FileLock
    private let mutex = NSLock()
    private var released = false

    init(url: URL, language: String, seed: Int) throws {
        self.language = language
        self.seed = seed
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw RuntimeFailure("cannot create \(url.deletingLastPathComponent().path): \(error.localizedDescription)")
        }
        lock = try FileLock(url: url)
        // A moment's shared lock by `recordedHolder` (xsns status) must not turn a free claim away.
        var attempt = lock.tryLock()
        for _ in 0..<5 where attempt == .heldElsewhere {
            usleep(20_000)
            attempt = lock.tryLock()
        }
        switch attempt {
        case .acquired:
            // A non-empty file under a free lock was left by a holder that died without releasing.
            takenOverFrom = Self.readOwner(lock.descriptor)
        case .heldElsewhere:
            throw ClaimHeld(language: language, seed: seed, holder: Self.readOwner(lock.descriptor), file: url.path)
        case .unsupported:
            let previous = Self.readOwner(lock.descriptor)
            if let previous, !Self.isStale(previous) {
                throw ClaimHeld(language: language, seed: seed, holder: previous, file: url.path)
            }
            takenOverFrom = previous
        }
        owner = ClaimOwner.current()
        try Self.writeOwner(owner, lock)
    }

    deinit { release() }

    /// Gives the claim up; the file is emptied (not removed, so no other process can be left
    /// holding a lock on a deleted inode).
    public func release() {
        mutex.lock()
        defer { mutex.unlock() }
        guard !released else { return }
        released = true
        _ = ftruncate(lock.descriptor, 0)
        lock.unlock()
    }

    /// Who holds the claim file at `url` as far as its contents tell, and whether that holder is alive:
    /// a shared, non-blocking flock probe answers it (the holder's exclusive lock refuses it; a dead
    /// holder's lock is gone, wherever it ran); where flock does not work, the recorded pid on this host,
    /// and nil (unknown) for another host. nil when the file is absent or empty (released).
    public static func recordedHolder(_ url: URL) -> (owner: ClaimOwner, alive: Bool?)? {
        guard let data = try? Data(contentsOf: url), !data.isEmpty,
              let owner = try? JSONDecoder().decodeScreened(ClaimOwner.self, from: data) else { return nil }
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        if descriptor >= 0 {
            defer { close(descriptor) }
            if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
                flock(descriptor, LOCK_UN)
                // On file systems whose flock is local to each node (Lustre localflock, some NFS mounts)
                // a free lock says nothing of a holder on another host.
                return (owner, owner.host == ProcessInfo.processInfo.hostName ? false : nil)
            }
            if errno == EWOULDBLOCK { return (owner, true) }
        }
        return (owner, owner.host == ProcessInfo.processInfo.hostName ? !isStale(owner) : nil)
    }

    /// Dead on this host. A pid on another host cannot be checked and is trusted.
    private static func isStale(_ owner: ClaimOwner) -> Bool {
        guard owner.host == ProcessInfo.processInfo.hostName else { return false }
        return kill(owner.pid, 0) != 0 && errno == ESRCH
    }

    private static func readOwner(_ descriptor: Int32) -> ClaimOwner? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let data = Data(buffer[0..<count])
        return try? JSONDecoder().decodeScreened(ClaimOwner.self, from: data)
    }

    private static func writeOwner(_ owner: ClaimOwner, _ lock: FileLock) throws {
        guard var data = try? JSONEncoder().encode(owner) else { return }
        data.append(UInt8(ascii: "\n"))
        let written = data.withUnsafeBytes { bytes in
            ftruncate(lock.descriptor, 0) == 0 ? pwrite(lock.descriptor, bytes.baseAddress, bytes.count, 0) : -1
        }
        guard written == data.count else {
            lock.unlock()
            throw RuntimeFailure("cannot write the claim file \(lock.url.path): \(String(cString: strerror(errno)))")
        }
    }
}
