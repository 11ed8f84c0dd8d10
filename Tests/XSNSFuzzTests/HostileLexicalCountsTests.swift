import Foundation
import Testing
import XSNSAnalysis
import XSNSStorage

/// LEX counts are summed per id and per language; counts near Int.max must not wrap around (the
/// analysis module is compiled with -Ounchecked, where an overflow is silent, not a trap).
struct HostileLexicalCountsTests {
    static let cases: [(label: String, counts: String)] = [
        ("one id counted twice past Int.max", "[[1,9223372036854775807],[1,5]]"),
        ("two ids whose total passes Int.max", "[[1,9223372036854775807],[2,9223372036854775807]]"),
    ]

    @Test(arguments: cases.map(\.label))
    func countsBeyondIntMaxAreAnInputErrorNamingTheFile(_ label: String) throws {
        let counts = try #require(Self.cases.first { $0.label == label }).counts
        let folder = Fuzzer.workFolder("lex-overflow-\(label.hashValue)")
        try? FileManager.default.removeItem(at: folder)
        var files = try #require(try SessionFolderSeeds.make().first)
        let lex = "baselines/lex/\(SessionFolderSeeds.languages[0]).json"
        files[lex] = Array(#"{"corpusSHA256":"00","counts":\#(counts),"language":"et","lines":1,"tokens":1}"#.utf8)
        for (name, bytes) in files {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect {
            _ = try SessionAnalysis(session: folder.path, in: folder).matrices(.lex, p: 0.15)
        } throws: { error in
            (error as? InputError)?.file == folder.appendingPathComponent(lex).path
        }
    }
}
