import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport

@testable import XSNSCompute

@Suite struct CorpusTests {
    private func write(_ bytes: [UInt8], named name: String) throws -> URL {
        let url = try Fixtures.temporaryDirectory().appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    @Test func skipsBlankAndInvalidLinesAndStripsLineEndings() throws {
        var bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("one\r\n\n   \ntwo\n".utf8)
        bytes += [0x66, 0xFF, 0x0A]  // "f" followed by a byte that is never valid UTF-8
        bytes += Array("три".utf8)   // last line without a terminator
        let corpus = try Corpus.load(try write(bytes, named: "xx.txt"))
        #expect(corpus.language == "xx")
        #expect(corpus.lines == ["one", "two", "три"])
        #expect(corpus.blankLines == 2)
        #expect(corpus.invalidLines == 1)
    }

    @Test func emptyOrMissingFilesAreInputErrors() throws {
        let empty = try write(Array("\n \n".utf8), named: "en.txt")
        #expect(throws: InputError.self) { try Corpus.load(empty) }
        let missing = empty.deletingLastPathComponent().appendingPathComponent("fi.txt")
        do {
            _ = try Corpus.load(missing)
            Issue.record("expected an error")
        } catch let error as InputError {
            #expect(error.file == missing.path)
            #expect(error.message.contains("no such file"))
        }
    }

    @Test func samplingIsSeededWithoutReplacementAndTakesAllWhenShort() {
        let corpus = Corpus(
            language: "en", url: URL(fileURLWithPath: "/x/en.txt"), lines: (0..<50).map { "s\($0)" })
        let first = corpus.sample(count: 20, seed: 42)
        #expect(first == corpus.sample(count: 20, seed: 42))
        #expect(first != corpus.sample(count: 20, seed: 16))
        #expect(Set(first).count == 20)
        #expect(Set(corpus.sample(count: 500, seed: 1)) == Set(corpus.lines))
        #expect(corpus.sample(count: 0, seed: 1).isEmpty)
    }

    @Test func discoversLanguageFilesOrRequiresTheNamedOnes() throws {
        let directory = try Fixtures.temporaryDirectory()
        for name in ["fi.txt", "en.txt", "notes.md"] {
            try Data("hello\n".utf8).write(to: directory.appendingPathComponent(name))
        }
        #expect(try Corpus.files(in: directory, languages: nil).map(\.language) == ["en", "fi"])
        #expect(try Corpus.files(in: directory, languages: ["fi"]).map(\.language) == ["fi"])
        #expect(throws: InputError.self) { try Corpus.files(in: directory, languages: ["de"]) }
    }
}
