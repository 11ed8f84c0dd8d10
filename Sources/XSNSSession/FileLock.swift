#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import XSNSStorage

/// An advisory `flock` on a file. The kernel drops it when the holder exits, even by `kill -9`,
/// so a crashed process never leaves a session locked. flock belongs to the open file
/// description: two opens in one process exclude each other just as two processes do.
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

    /// Waits for the exclusive lock.
    public func lock() throws {
        while flock(descriptor, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            throw RuntimeFailure("cannot lock \(url.path): \(String(cString: strerror(errno)))")
        }
    }

    enum Attempt { case acquired, heldElsewhere, unsupported }

    /// Takes the exclusive lock if it is free, without waiting.
    func tryLock() -> Attempt {
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            switch errno {
            case EINTR: continue
            case EWOULDBLOCK: return .heldElsewhere
            default: return .unsupported  // e.g. ENOLCK on an NFS mount without a lock daemon
            }
        }
        return .acquired
    }

    public func unlock() {
        flock(descriptor, LOCK_UN)
    }
}
