#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Writes files so that a reader (or a crash, a `kill -9`, a full disk) only ever sees the old
/// content or the complete new content: a temp file in the same folder is written, fsynced and
/// renamed over the target, then the folder itself is fsynced so the rename survives power loss.
public enum AtomicFile {
    /// Receives the new file's bytes in order; lets large payloads (Fisher vectors of hundreds of
    /// MB) be written straight from their buffers instead of being concatenated into one `Data`.
    public struct Sink {
        fileprivate let descriptor: Int32
        fileprivate let target: String

        public func write(_ bytes: UnsafeRawBufferPointer) throws {
            guard var cursor = bytes.baseAddress else { return }
            var remaining = bytes.count
            while remaining > 0 {
                let written = systemWrite(descriptor, cursor, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw AtomicFile.failure("cannot write", target)
                }
                cursor += written
                remaining -= written
            }
        }

        public func write(_ data: Data) throws {
            try data.withUnsafeBytes { try write($0) }
        }

        /// Lengthens the file by `count` zero bytes without writing them (a hole, on file systems that
        /// have them): the benchmark's stand-in for data it never reads.
        public func extend(by count: Int) throws {
            let end = lseek(descriptor, 0, SEEK_END)
            guard end >= 0, ftruncate(descriptor, end + off_t(count)) == 0 else { throw AtomicFile.failure("cannot extend", target) }
        }
    }

    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { try $0.write(data) }
    }

    /// Streams the new content through `body`; on any error the temp file is removed and the
    /// previous file at `url` (if any) is left untouched.
    public static func write(to url: URL, _ body: (Sink) throws -> Void) throws {
        let target = url.path
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/" + TemporaryName.make(for: url.lastPathComponent)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("cannot create a file in \(folder) to write", target) }
        var descriptorOpen = true
        defer {
            if descriptorOpen { close(descriptor) }
        }
        do {
            try body(Sink(descriptor: descriptor, target: target))
            guard fsync(descriptor) == 0 else { throw failure("cannot flush", target) }
            descriptorOpen = false
            guard close(descriptor) == 0 else { throw failure("cannot close", target) }
            guard rename(temporary, target) == 0 else { throw failure("cannot replace", target) }
        } catch {
            unlink(temporary)
            throw error
        }
        syncFolder(folder)
    }

    /// Renames a file that is already complete and fsynced (a journal, say) over `target`.
    public static func publish(_ source: URL, as target: URL) throws {
        guard rename(source.path, target.path) == 0 else { throw failure("cannot replace", target.path) }
        syncFolder(target.deletingLastPathComponent().path)
    }

    /// Makes the rename durable. Some file systems refuse fsync on folders; the data itself is
    /// already safe then, so that is not reported as a failure.
    private static func syncFolder(_ folder: String) {
        let descriptor = open(folder, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    fileprivate static func failure(_ action: String, _ target: String) -> RuntimeFailure {
        let reason = String(cString: strerror(errno))
        return RuntimeFailure("\(action) \(target): \(reason) (the previous file is unchanged)")
    }
}

// `Sink.write` shadows the C function of the same name inside the struct.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
