import Foundation
import XSNSCompute
import Testing
import XSNSProbe
import XSNSStorage
import XSNSTestSupport
import XSNSTokenizers

/// The CoNLL-U reader and first-subword labelling, against Hugging Face `tokenizers` with
/// `is_pretokenized=True` (Tests/FixtureGenerator/gen_probe.py) and hand-made broken files.
struct TreebankTests {
    struct TaggedCase: Decodable {
        var words: [String]
        var tags: [String]
        var input_ids: [Int32]
        var labels: [Int32]
    }

    struct Fixture: Decodable {
        var labels: [String]
        var max_length: Int
        var cases: [String: [String: [TaggedCase]]]
        var edge: [String: [TaggedCase]]
    }

    static let fixture = Result {
        try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: Fixtures.url("probe/tagged.json")))
    }
    static let tokenizers = [
        "xlmr-demo": Fixtures.repositoryRoot.appendingPathComponent("Sources/xsns/DemoModel/tokenizer.json"),
        "bert-cased": Fixtures.url("tokenizers/wordpiece-cased.json"),
        "bert-uncased": Fixtures.url("tokenizers/wordpiece-uncased.json"),
    ]

    @Test func labelSetIsHuggingFacesUPOSOrder() throws {
        #expect(PartOfSpeechTags.labels == (try Self.fixture.get()).labels)
    }

    /// Ranges and empty nodes are skipped, words and tags read as the generator read them.
    @Test func readsTheTinyTreebankAsHuggingFaceCasesDo() throws {
        let sentences = try CoNLLU.read(Fixtures.url("probe/tiny.conllu"))
        let cases = try Self.fixture.get().cases["xlmr-demo"]!["full"]!
        #expect(sentences.map(\.words) == cases.map(\.words))
        #expect(sentences.map(\.tags) == cases.map(\.tags))
        let spanish = try #require(sentences.first { $0.words.contains("el") })
        #expect(!spanish.words.contains("del"), "a multiword range was read as a word")
    }

    @Test(arguments: ["xlmr-demo", "bert-cased", "bert-uncased"])
    func firstSubwordLabelsMatchHuggingFace(tokenizer name: String) throws {
        let fixture = try Self.fixture.get()
        let tokenizer = try Tokenizer(contentsOf: Self.tokenizers[name]!)
        var checked = 0
        for (variant, maxLength) in [("truncated", fixture.max_length), ("full", Int.max)] {
            for expected in fixture.cases[name]![variant]! + (variant == "full" ? fixture.edge[name]! : []) {
                let sentence = TaggedSentence(words: expected.words, tags: expected.tags,
                                              lines: Array(expected.words.indices), file: "fixture")
                let labelled = LabelledSentence(sentence, tokenizer: tokenizer, maxLength: maxLength)
                #expect(labelled.inputIds == expected.input_ids, "\(name) \(variant) \(expected.words.prefix(4))")
                let labels = try labelled.trainingSequence(of: sentence).labels
                #expect(labels == expected.labels, "\(name) \(variant) \(expected.words.prefix(4))")
                #expect(labelled.droppedWords == expected.words.count - expected.labels.filter { $0 != -100 }.count)
                checked += 1
            }
        }
        print("\(name): \(checked) sentences labelled as Hugging Face labels them")
    }

    /// Each broken file: one error naming the file and the line the generator says is wrong.
    @Test func malformedFilesNameFileAndLine() throws {
        let folder = Fixtures.url("probe/malformed")
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("expected.json")))
            as! [String: [String: Any]]
        for (name, problem) in expected.sorted(by: { $0.key < $1.key }) {
            let url = folder.appendingPathComponent(name)
            let line = problem["line"] as! Int
            do {
                let sentences = try CoNLLU.read(url)
                // A tag outside the label set is the one problem found at training time, not by the reader.
                #expect(name == "bad_upos.conllu", "\(name) was read without complaint")
                let tokenizer = try Tokenizer(contentsOf: Self.tokenizers["bert-cased"]!)
                let error = #expect(throws: InputError.self) {
                    for sentence in sentences {
                        _ = try LabelledSentence(sentence, tokenizer: tokenizer, maxLength: 64).trainingSequence(of: sentence)
                    }
                }
                #expect(error?.description.contains("line \(line):") == true, "\(String(describing: error))")
            } catch let error as InputError {
                #expect(error.file == url.path)
                #expect(error.description.contains("line \(line):"), "\(name): \(error)")
                #expect(!error.description.contains("\n"))
            }
        }
    }

    @Test func treebankFolderFindsLanguagesAndSplits() throws {
        let folder = try Fixtures.temporaryDirectory()
        for name in ["fi_tdt-ud-train.conllu", "fi_tdt-ud-test.conllu", "fil-x-test.conllu", "en-ewt-dev.conllu", "notes.txt",
                     "pt_dantestocks-ud-dev.conllu"] {
            try Data().write(to: folder.appendingPathComponent(name))
        }
        let treebanks = try TreebankFolder(directory: folder)
        #expect(treebanks.files("fi", [.train, .dev]).map(\.lastPathComponent) == ["fi_tdt-ud-train.conllu"])
        #expect(treebanks.files("fi", [.test]).map(\.lastPathComponent) == ["fi_tdt-ud-test.conllu"])
        #expect(treebanks.languages(with: [.train, .dev]) == ["en", "fi", "pt"])
        #expect(treebanks.files("pt", [.test]).isEmpty, "'dantestocks' is not a test split")
        #expect(throws: InputError.self) { try treebanks.sentences("de", [.test]) }
    }
}

/// Every UD treebank in `../shared/corpora/ud-conllu` (when present) reads without complaint, every
/// word of it tagged with a label of the set, and ranges never read as words.
struct SharedTreebankTests {
    @Test func everySharedTreebankReads() throws {
        guard let shared = Fixtures.shared else { return }
        let folder = try TreebankFolder(directory: shared.appendingPathComponent("corpora/ud-conllu"))
        let languages = folder.languages(with: [.test])
        #expect(languages.count >= 15)
        var words = 0
        for language in languages {
            let sentences = try folder.sentences(language, [.dev, .test])
            let tags = sentences.flatMap(\.tags)
            #expect(tags.allSatisfy { PartOfSpeechTags.id($0) != nil }, "\(language)")
            words += tags.count
        }
        print("\(languages.count) languages, \(words) words read from the shared UD treebanks")
    }
}

/// Pre-split encoding on every shared UD treebank (when `../shared` is there): the token ids and each
/// word's first sub-word position, hashed per file and tokenizer, equal Hugging Face `tokenizers` with
/// `is_pretokenized=True` (Tests/FixtureGenerator/gen_ud_ids.py keeps only counts and hashes).
struct SharedTreebankTokenizationTests {
    struct Expected: Decodable { var sentences: Int; var ids: Int; var ids_sha256: String; var first_subwords_sha256: String }

    @Test func idsAndFirstSubwordsMatchHuggingFace() throws {
        guard let shared = Fixtures.shared else { return }
        let expected = try JSONDecoder().decode([String: [String: [String: Expected]]].self,
                                                from: Data(contentsOf: Fixtures.url("probe/ud_ids.json")))["files"]!
        let folder = shared.appendingPathComponent("corpora/ud-conllu")
        var checked = 0
        for (name, tokenizers) in expected.sorted(by: { $0.key < $1.key }) {
            let sentences = try CoNLLU.read(folder.appendingPathComponent(name))
            for (tokenizerName, reference) in tokenizers {
                let tokenizer = try Tokenizer(contentsOf: TreebankTests.tokenizers[tokenizerName]!)
                var ids = "", firsts = "", count = 0
                for sentence in sentences {
                    let (encoding, words) = tokenizer.encode(words: sentence.words, maxLength: nil)
                    ids += encoding.ids.map(String.init).joined(separator: ",") + "\n"
                    let positions = words.indices.filter { words[$0] != nil && ($0 == 0 || words[$0] != words[$0 - 1]) }
                    firsts += positions.map(String.init).joined(separator: ",") + "\n"
                    count += encoding.ids.count
                }
                #expect(sentences.count == reference.sentences && count == reference.ids, "\(name) \(tokenizerName)")
                #expect(SHA256.hexDigest(Data(ids.utf8)) == reference.ids_sha256, "\(name) \(tokenizerName): ids")
                #expect(SHA256.hexDigest(Data(firsts.utf8)) == reference.first_subwords_sha256,
                        "\(name) \(tokenizerName): first sub-words")
                checked += sentences.count
            }
        }
        print("\(checked) sentence encodings of the shared UD treebanks equal Hugging Face's")
    }
}
