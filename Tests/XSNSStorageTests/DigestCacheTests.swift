import Foundation
import Testing
@testable import XSNSStorage
import XSNSTestSupport

/// Digests of large files are remembered by (device, inode, size, modification time): the cached digest
/// comes back while those are unchanged, a new modification time means hashing again, and small files
/// never touch the cache.
struct DigestCacheTests {
    @Test func rememberedUntilTheFileIsTouched() throws {
        let folder = try Fixtures.temporaryDirectory()
        let cache = folder.appendingPathComponent("cache/digests.json")
        let file = folder.appendingPathComponent("model.bin")
        try Data(repeating: 7, count: 4096).write(to: file)
        let stamp = Date(timeIntervalSince1970: 1_700_000_000)
        try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: file.path)
        let original = SHA256.hexDigest(Data(repeating: 7, count: 4096))
        #expect(try DigestCache.hexDigest(ofFileAt: file, cache: cache, minimumBytes: 1024) == original)
        #expect(FileManager.default.fileExists(atPath: cache.path))

        // Same size and time, other bytes: the cache answers (what it trusts, as make does).
        try Data(repeating: 8, count: 4096).write(to: file)
        try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: file.path)
        #expect(try DigestCache.hexDigest(ofFileAt: file, cache: cache, minimumBytes: 1024) == original)

        // A new time: hashed again.
        try FileManager.default.setAttributes([.modificationDate: stamp.addingTimeInterval(5)], ofItemAtPath: file.path)
        #expect(try DigestCache.hexDigest(ofFileAt: file, cache: cache, minimumBytes: 1024)
                == SHA256.hexDigest(Data(repeating: 8, count: 4096)))

        let small = folder.appendingPathComponent("small.txt")
        try Data("abc".utf8).write(to: small)
        let other = folder.appendingPathComponent("other/digests.json")
        #expect(try DigestCache.hexDigest(ofFileAt: small, cache: other, minimumBytes: 1024) == SHA256.hexDigest(Data("abc".utf8)))
        #expect(!FileManager.default.fileExists(atPath: other.path))
        #expect(throws: InputError.self) {
            try DigestCache.hexDigest(ofFileAt: folder.appendingPathComponent("none"), cache: cache, minimumBytes: 0)
        }
    }

    /// A digest remembered for a file just written answers for it until the file changes.
    @Test func aRememberedDigestAnswersWithoutReading() throws {
        let folder = try Fixtures.temporaryDirectory()
        let cache = folder.appendingPathComponent("cache/digests.json")
        let file = folder.appendingPathComponent("fisher.safetensors")
        try Data(repeating: 3, count: 4096).write(to: file)
        DigestCache.remember("remembered", forFileAt: file, cache: cache, minimumBytes: 1024)
        #expect(try DigestCache.hexDigest(ofFileAt: file, cache: cache, minimumBytes: 1024) == "remembered")
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000)], ofItemAtPath: file.path)
        #expect(try DigestCache.hexDigest(ofFileAt: file, cache: cache, minimumBytes: 1024)
                == SHA256.hexDigest(Data(repeating: 3, count: 4096)))
    }
}
