import Foundation
import Testing
import XSNSStorage
import XSNSTokenizers
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
        let first = corpus.sampleIndices(count: 20, seed: 42).map { corpus.lines[$0] }
        #expect(first == corpus.sampleIndices(count: 20, seed: 42).map { corpus.lines[$0] })
        #expect(first != corpus.sampleIndices(count: 20, seed: 16).map { corpus.lines[$0] })
        #expect(Set(first).count == 20)
        #expect(Set(corpus.sampleIndices(count: 500, seed: 1).map { corpus.lines[$0] }) == Set(corpus.lines))
        #expect(corpus.sampleIndices(count: 0, seed: 1).isEmpty)
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

    /// A `<lang>.conllu` corpus: its sentences are word lists (ranges and empty nodes skipped), fed as
    /// pre-split words; a language may not have both kinds of file.
    @Test func treebankCorporaAreWordLists() throws {
        let folder = try Fixtures.temporaryDirectory()
        try FileManager.default.copyItem(at: Fixtures.url("probe/tiny.conllu"), to: folder.appendingPathComponent("xx.conllu"))
        try Data("Hello world.\n".utf8).write(to: folder.appendingPathComponent("en.txt"))
        let files = try Corpus.files(in: folder, languages: nil)
        #expect(files.map(\.language) == ["en", "xx"])
        let corpus = try Corpus.load(folder.appendingPathComponent("xx.conllu"))
        let sentences = try CoNLLU.read(Fixtures.url("probe/tiny.conllu"))
        #expect(corpus.language == "xx" && corpus.words == sentences.map(\.words))
        #expect(corpus.lines[0] == sentences[0].words.joined(separator: " "))
        let tokenizer = try Tokenizer(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Sources/xsns/DemoModel/tokenizer.json"))
        for index in corpus.lines.indices {
            let expected = tokenizer.encode(words: sentences[index].words, maxLength: 24).encoding.ids.map { Int32($0) }
            #expect(corpus.encode(index, tokenizer: tokenizer, maxLength: 24) == expected)
        }
        #expect(try Corpus.load(folder.appendingPathComponent("en.txt")).words == nil)
        try Data("Hallo.\n".utf8).write(to: folder.appendingPathComponent("xx.txt"))
        #expect(throws: InputError.self) { try Corpus.files(in: folder, languages: ["xx"]) }
        #expect(throws: InputError.self) { try Corpus.files(in: folder, languages: nil) }
    }
}
