import Foundation
import XSNSStorage

/// A file's identity in the manifest: name, size, modification time and SHA-256.
public struct FileFingerprint: Codable, Equatable, Sendable {
    /// The file name relative to the recorded folder (`model.safetensors`, `en.txt`).
    public var file: String
    public var bytes: Int
    /// Seconds since 1970; only used to skip re-hashing an untouched multi-GB file.
    public var modified: Double
    public var sha256: String

    public init(file: String, bytes: Int, modified: Double, sha256: String) {
        self.file = file
        self.bytes = bytes
        self.modified = modified
        self.sha256 = sha256
    }

    /// Fingerprints `url`. When `previous` has the same name, size and modification time, its
    /// hash is reused (as `make` trusts timestamps): hashing a 1 GB checkpoint takes seconds
    /// and happens at every `xsns compute` otherwise.
    public static func of(_ url: URL, reusing previous: FileFingerprint? = nil) throws -> FileFingerprint {
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: url.path) } catch {
            throw InputError(file: url.path, "cannot read: \(error.localizedDescription)")
        }
        let bytes = (attributes[.size] as? Int) ?? 0
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        if let previous, previous.file == url.lastPathComponent, previous.bytes == bytes, previous.modified == modified {
            return previous
        }
        return FileFingerprint(
            file: url.lastPathComponent, bytes: bytes, modified: modified, sha256: try DigestCache.hexDigest(ofFileAt: url))
    }

    /// Whether the content is the same (size and hash; the time alone does not count as a change).
    public func sameContent(as other: FileFingerprint) -> Bool {
        bytes == other.bytes && sha256 == other.sha256
    }
}
