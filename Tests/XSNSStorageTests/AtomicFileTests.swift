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

    @Test func aMissingFolderIsARuntimeFailure() throws {
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("no/such/file")
        #expect(throws: RuntimeFailure.self) { try AtomicFile.write(Data(), to: url) }
    }
}
