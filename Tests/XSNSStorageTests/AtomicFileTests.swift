import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport

struct AtomicFileTests {
    @Test func writesAndReplacesLeavingNoTemporaryFiles() throws {
        let folder = try Fixtures.temporaryDirectory()
        let url = folder.appendingPathComponent("session.json")
        try AtomicFile.write(Data("first".utf8), to: url)
        try AtomicFile.write(Data("second, longer".utf8), to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "second, longer")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["session.json"])
    }

    @Test func aFailingWriterLeavesThePreviousFileAndNoTemporary() throws {
        struct Interrupted: Error {}
        let folder = try Fixtures.temporaryDirectory()
        let url = folder.appendingPathComponent("data.bin")
        try AtomicFile.write(Data("old".utf8), to: url)
        #expect(throws: Interrupted.self) {
            try AtomicFile.write(to: url) { sink in
                try sink.write(Data("partial".utf8))
                throw Interrupted()
            }
        }
        #expect(try String(contentsOf: url, encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["data.bin"])
    }

    /// Direct writes gather the bytes into aligned blocks of an 8 MiB buffer: whatever the sizes of the
    /// pieces and of the file (around block and buffer boundaries), the file holds exactly the bytes
    /// written, the digest returned is theirs, and a writer that fails leaves the previous file.
    @Test(arguments: [0, 1, 4095, 4096, 4097, (8 << 20) - 1, 8 << 20, (8 << 20) + 1, 2 * (8 << 20) + 12_345])
    func directWritesKeepEveryByte(size: Int) throws {
        struct Interrupted: Error {}
        let folder = try Fixtures.temporaryDirectory()
        let url = folder.appendingPathComponent("large.bin")
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 7) }
        let pieces = [1, 7, 4096, 100_003, 3 << 20]
        func write(failing: Bool) throws -> String? {
            try AtomicFile.write(to: url, direct: true) { sink in
                var offset = 0, piece = 0
                while offset < size {
                    let count = min(pieces[piece % pieces.count], size - offset)
                    try bytes.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + count)])) }
                    offset += count
                    piece += 1
                }
                if failing { throw Interrupted() }
            }
        }
        #expect(try write(failing: false) == SHA256.hexDigest(Data(bytes)))
        #expect(try Data(contentsOf: url) == Data(bytes))
        #expect(try DigestCache.hexDigest(ofFileAt: url) == SHA256.hexDigest(Data(bytes)))
        #expect(throws: Interrupted.self) { try write(failing: true) }
        #expect(try Data(contentsOf: url) == Data(bytes))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["large.bin"])
    }

    @Test func aReadOnlyFolderIsARuntimeFailureAndThePreviousFileStays() throws {
        let folder = try Fixtures.temporaryDirectory()
        let url = folder.appendingPathComponent("session.json")
        try AtomicFile.write(Data("old".utf8), to: url)
        guard let readOnly = ReadOnlyFolder(folder) else {
            print("note: cannot make a folder read-only here (root without chattr); test skipped")
            return
        }
        defer { readOnly.restore() }
        do {
            try AtomicFile.write(Data("new".utf8), to: url)
            Issue.record("wrote into a read-only folder")
        } catch let failure as RuntimeFailure {
            #expect(failure.description.contains(url.path))
            #expect(failure.description.contains("unchanged"))
        }
        #expect(try String(contentsOf: url, encoding: .utf8) == "old")
    }

    @Test func aFullDiskIsARuntimeFailureAndThePreviousFileStays() throws {
        let folder = try Fixtures.temporaryDirectory()
        guard let disk = FullFileSystem(bytes: 64 * 1024, at: folder) else {
            print("note: cannot mount a small tmpfs here (needs root and mount rights); test skipped")
            return
        }
        defer { disk.unmount() }
        let url = folder.appendingPathComponent("fisher.safetensors")
        try AtomicFile.write(Data(repeating: 1, count: 1000), to: url)
        do {
            try AtomicFile.write(Data(repeating: 2, count: 1 << 20), to: url)
            Issue.record("wrote 1 MB into a 64 kB file system")
        } catch let failure as RuntimeFailure {
            #expect(failure.description.contains(url.path))
            #expect(failure.description.contains("No space left on device"))
        }
        #expect(try Data(contentsOf: url) == Data(repeating: 1, count: 1000))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["fisher.safetensors"])
    }

    @Test func aMissingFolderIsARuntimeFailure() throws {
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("no/such/file")
        #expect(throws: RuntimeFailure.self) { try AtomicFile.write(Data(), to: url) }
    }
}

struct TemporaryNameTests {
    /// The pid of a process that has exited.
    static func deadPid() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exit 0"]
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test func abandonedTemporariesOfDeadProcessesOnThisHostAreRemoved() throws {
        let folder = try Fixtures.temporaryDirectory()
        // Learn the real temp name from an interrupted write, then plant one as a killed writer leaves it.
        struct Interrupted: Error {}
        var liveName = ""
        _ = try? AtomicFile.write(to: folder.appendingPathComponent("en.seed1.safetensors")) { _ in
            liveName = try FileManager.default.contentsOfDirectory(atPath: folder.path).first ?? ""
            throw Interrupted()
        }
        let abandoned = liveName.replacingOccurrences(of: "-\(getpid())-", with: "-\(try Self.deadPid())-")
        let foreign = liveName.replacingOccurrences(of: ".tmp-", with: ".tmp-elsewhere").replacingOccurrences(of: "-\(getpid())-", with: "-1-")
        let kept = [liveName, foreign, "en.txt", ".hidden", ".a.tmp-b"]
        for name in kept + [abandoned] {
            try Data("partial".utf8).write(to: folder.appendingPathComponent(name))
        }
        #expect(abandoned != liveName)
        #expect(TemporaryName.removeAbandoned(in: folder) == [abandoned])
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)) == Set(kept))
    }
}
