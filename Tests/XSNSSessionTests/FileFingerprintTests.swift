import Foundation
import Testing
import XSNSSession
import XSNSStorage
import XSNSTestSupport

struct FileFingerprintTests {
    @Test func hashesSizeAndReusesAnUntouchedFilesHash() throws {
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("en.txt")
        try Data("abc".utf8).write(to: url)
        let first = try FileFingerprint.of(url)
        #expect(first.file == "en.txt")
        #expect(first.bytes == 3)
        #expect(first.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")

        // Same size and time: the recorded hash is trusted (a planted one proves it was not recomputed).
        var planted = first
        planted.sha256 = "planted"
        #expect(try FileFingerprint.of(url, reusing: planted).sha256 == "planted")

        // New content and time: hashed again.
        try Data("abd".utf8).write(to: url)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 10)], ofItemAtPath: url.path)
        let second = try FileFingerprint.of(url, reusing: planted)
        #expect(second.sha256 == SHA256.hexDigest(Data("abd".utf8)))
        #expect(!second.sameContent(as: first))
    }

    @Test func aMissingFileIsAnInputError() throws {
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("none.txt")
        #expect(throws: InputError.self) { try FileFingerprint.of(url) }
    }
}
