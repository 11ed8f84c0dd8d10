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
    /// Files from this size up are worth writing with `direct` (below it the page cache costs little).
    public static let directMinimumBytes = 16 << 20

    /// Receives the new file's bytes in order; lets large payloads (Fisher vectors of hundreds of
    /// MB) be written straight from their buffers instead of being concatenated into one `Data`.
    public struct Sink {
        fileprivate let descriptor: Int32
        fileprivate let target: String
        /// Set when the file was opened for direct I/O.
        fileprivate let staging: DirectStaging?

        public func write(_ bytes: UnsafeRawBufferPointer) throws {
            if let staging { return try staging.append(bytes) }
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
            precondition(staging == nil, "a file written with direct I/O cannot have holes")
            let end = lseek(descriptor, 0, SEEK_END)
            guard end >= 0, ftruncate(descriptor, end + off_t(count)) == 0 else { throw AtomicFile.failure("cannot extend", target) }
        }
    }

    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { try $0.write(data) }
    }

    /// Streams the new content through `body`; on any error the temp file is removed and the
    /// previous file at `url` (if any) is left untouched. `direct`: for files of hundreds of MB, written
    /// past the page cache where the file system allows it (`DirectStaging`), their bytes hashed on the
    /// way: the SHA-256 is returned and remembered in the `DigestCache`.
    @discardableResult
    public static func write(to url: URL, direct: Bool = false, _ body: (Sink) throws -> Void) throws -> String? {
        let target = url.path
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/" + TemporaryName.make(for: url.lastPathComponent)
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC
        var descriptor = open(temporary, flags | (direct ? directOpenFlag : 0), 0o644)
        let directRefused = descriptor < 0 && errno == EINVAL && direct
        if directRefused { descriptor = open(temporary, flags, 0o644) }
        guard descriptor >= 0 else { throw failure("cannot create a file in \(folder) to write", target) }
        let staging = direct && !directRefused && directOpenFlag != 0
            ? DirectStaging(descriptor: descriptor, target: target) : nil
        var descriptorOpen = true, digest: String?
        defer {
            if descriptorOpen { close(descriptor) }
        }
        do {
            try body(Sink(descriptor: descriptor, target: target, staging: staging))
            digest = try staging?.finish()
            guard fsync(descriptor) == 0 else { throw failure("cannot flush", target) }
            descriptorOpen = false
            guard close(descriptor) == 0 else { throw failure("cannot close", target) }
            guard rename(temporary, target) == 0 else { throw failure("cannot replace", target) }
        } catch {
            unlink(temporary)
            throw error
        }
        syncFolder(folder)
        if let digest { DigestCache.remember(digest, forFileAt: url) }
        return digest
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

    static func failure(_ action: String, _ target: String) -> RuntimeFailure {
        let reason = String(cString: strerror(errno))
        return RuntimeFailure("\(action) \(target): \(reason) (the previous file is unchanged)")
    }
}

// `Sink.write` shadows the C function of the same name inside the struct.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
