import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport

/// FIPS 180-4 / NIST CAVP example vectors.
struct SHA256Tests {
    static let vectors: [(message: String, digest: String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ]

    @Test(arguments: zip(vectors.map(\.message), vectors.map(\.digest)))
    func nistVectors(message: String, digest: String) {
        #expect(SHA256.hexDigest(Data(message.utf8)) == digest)
    }

    @Test func oneMillionAsStreamedInOddChunks() {
        var hasher = SHA256()
        let chunk = Data(repeating: UInt8(ascii: "a"), count: 999)
        var remaining = 1_000_000
        while remaining > 0 {
            let count = min(remaining, chunk.count)
            hasher.update(chunk.prefix(count))
            remaining -= count
        }
        #expect(SHA256.hex(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Crosses the 1 MB read boundary of the file hasher and the 55/56/64-byte padding edges.
    @Test func filesHashLikeTheirBytes() throws {
        let folder = try Fixtures.temporaryDirectory()
        for size in [55, 56, 63, 64, 65, (1 << 20) + 17] {
            let data = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
            let url = folder.appendingPathComponent("\(size).bin")
            try data.write(to: url)
            #expect(try SHA256.hexDigest(ofFileAt: url) == SHA256.hexDigest(data))
        }
        #expect(throws: InputError.self) { try SHA256.hexDigest(ofFileAt: folder.appendingPathComponent("none")) }
    }
}
