#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// SHA-256 digests of large files remembered per user, keyed by (device, inode, size, modification
/// time), so that a checkpoint used by many sessions is hashed once, not at every `compute` (as `make`
/// trusts timestamps: a file rewritten with the same size and time is not noticed). Small files are
/// always hashed. The cache is `$XSNS_DIGEST_CACHE`, else `$XDG_CACHE_HOME/xsns/digests.json`, else
/// `~/.cache/xsns/digests.json`; a missing, unreadable or unwritable cache only costs the hashing.
public enum DigestCache {
    /// Files smaller than this are hashed every time (a corpus or a tokenizer: milliseconds).
    public static let minimumBytes = 16 << 20

    struct Entry: Codable, Equatable {
        var path: String
        var bytes: Int
        var modified: Double
        var sha256: String
    }

    public static func hexDigest(ofFileAt url: URL) throws -> String {
        try hexDigest(ofFileAt: url, cache: location, minimumBytes: minimumBytes)
    }

    /// One digest for several files (a sharded checkpoint, a language's treebanks): SHA-256 over their
    /// hex digests in order.
    public static func hexDigest(ofFilesAt urls: [URL]) throws -> String {
        var digest = SHA256()
        for url in urls { digest.update(Data(try hexDigest(ofFileAt: url).utf8)) }
        return digest.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func hexDigest(ofFileAt url: URL, cache: URL?, minimumBytes: Int) throws -> String {
        let file = try FileKey(url)
        guard let cache, file.bytes >= minimumBytes else { return try SHA256.hexDigest(ofFileAt: url) }
        var entries = load(cache)
        if let entry = entries[file.key], entry.bytes == file.bytes, entry.modified == file.modified { return entry.sha256 }
        let digest = try SHA256.hexDigest(ofFileAt: url)
        entries[file.key] = Entry(path: url.path, bytes: file.bytes, modified: file.modified, sha256: digest)
        save(entries, to: cache)
        return digest
    }

    /// Records the digest of a large file just written from memory (its bytes hashed on the way), so
    /// that the next `hexDigest` of it does not read it back.
    public static func remember(_ digest: String, forFileAt url: URL) {
        remember(digest, forFileAt: url, cache: location, minimumBytes: minimumBytes)
    }

    static func remember(_ digest: String, forFileAt url: URL, cache: URL?, minimumBytes: Int) {
        guard let cache, let file = try? FileKey(url), file.bytes >= minimumBytes else { return }
        var entries = load(cache)
        entries[file.key] = Entry(path: url.path, bytes: file.bytes, modified: file.modified, sha256: digest)
        save(entries, to: cache)
    }

    /// The cache's entries; none when it is missing or unreadable.
    private static func load(_ cache: URL) -> [String: Entry] {
        (try? JSONDecoder().decode([String: Entry].self, from: Data(contentsOf: cache))) ?? [:]
    }

    private static func save(_ entries: [String: Entry], to cache: URL) {
        try? FileManager.default.createDirectory(at: cache.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? AtomicFile.write(try JSONEncoder().encode(entries), to: cache)
    }

    /// What identifies a version of a file: device and inode, size, modification time.
    private struct FileKey {
        var key: String
        var bytes: Int
        var modified: Double

        init(_ url: URL) throws {
            var status = stat()
            guard stat(url.path, &status) == 0 else {
                throw InputError(file: url.path, "cannot read: \(String(cString: strerror(errno)))")
            }
            bytes = Int(status.st_size)
            key = "\(status.st_dev):\(status.st_ino)"
            #if os(Linux)
            let time = status.st_mtim
            #else
            let time = status.st_mtimespec
            #endif
            modified = Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
    }

    static var location: URL? {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["XSNS_DIGEST_CACHE"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? environment["HOME"].map { URL(fileURLWithPath: $0).appendingPathComponent(".cache") }
        return base?.appendingPathComponent("xsns/digests.json")
    }
}
