#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Asks the kernel to start reading the beginnings of many files at once (POSIX_FADV_WILLNEED), so that a
/// reader opening them one after another finds them in the page cache instead of waiting on each read in
/// turn: opening a session reads the headers of hundreds of small index files. A hint; errors are ignored.
public enum Prefetch {
    public static func beginnings(of urls: [URL], bytes: Int) {
        #if os(Linux)
        for url in urls {
            let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { continue }
            _ = posix_fadvise(descriptor, 0, off_t(bytes), POSIX_FADV_WILLNEED)
            close(descriptor)
        }
        #endif
    }
}
