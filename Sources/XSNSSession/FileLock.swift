#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import XSNSStorage

/// An advisory `flock` on a file. The kernel drops it when the holder exits, even by `kill -9`,
/// so a crashed process never leaves a session locked. flock belongs to the open file
/// description: two opens in one process exclude each other just as two processes do. It serialises
/// writers on one machine (session.json, Slurm submissions); claims do not use it (`RunClaim`).
public final class FileLock {
    let url: URL
    let descriptor: Int32

    /// Opens (creating if needed) the lock file. In a folder that became read-only an existing
    /// lock file can still be locked read-only, so the real write fails later with a clear message.
    public init(url: URL) throws {
        self.url = url
        var descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if descriptor < 0 { descriptor = open(url.path, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else {
            throw RuntimeFailure("cannot open the lock file \(url.path): \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Waits for the exclusive lock. Where the file system has no locks (NFS without a lock daemon,
    /// Lustre `noflock`) it goes on without: nothing that must be correct across nodes depends on it.
    public func lock() throws {
        while flock(descriptor, LOCK_EX) != 0 {
            switch errno {
            case EINTR: continue
            case ENOLCK, ENOSYS, EOPNOTSUPP: return
            default: throw RuntimeFailure("cannot lock \(url.path): \(String(cString: strerror(errno)))")
            }
        }
    }

    public func unlock() {
        flock(descriptor, LOCK_UN)
    }
}
