import Foundation
import Testing
import XSNSTestSupport

/// Hostile files in a session folder through `xsns matrix`, under the same memory cap and deadline as
/// the checkpoint cases: exit status 2 and one stderr line naming the file.
struct HostileSessionCLITests {
    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        let metric: String
        let file: String
        let content: [UInt8]
        var testDescription: String { label }
    }

    static let fisher = "fisher/fi.seed42.safetensors"
    static let lex = "baselines/lex/et.json"
    static let emb = "baselines/emb/fi.seed16.safetensors"

    static let cases: [Case] = [
        Case(label: "a Fisher file that is not safetensors", metric: "jaccard", file: fisher, content: Array("garbage!".utf8)),
        Case(label: "a Fisher file declaring a 2^40-element tensor", metric: "jaccard", file: fisher,
             content: HostileCheckpointCLITests.safeTensors(
                #"{"roberta.encoder.layer.0.output.dense.weight":{"dtype":"F32","shape":[1099511627776],"data_offsets":[0,16]}}"#)),
        Case(label: "a Fisher file of I64 values", metric: "cosine", file: fisher,
             content: HostileCheckpointCLITests.safeTensors(#"{"x":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}"#)),
        Case(label: "LEX counts past Int.max", metric: "lex", file: lex,
             content: Array(#"{"counts":[[1,9223372036854775807],[2,9223372036854775807]]}"#.utf8)),
        Case(label: "LEX counts nested 100000 deep", metric: "lex", file: lex,
             content: Array(("{\"counts\":" + String(repeating: "[", count: 100_000)).utf8)),
        Case(label: "an EMB file with a header length of 2^64-1", metric: "emb", file: emb,
             content: HostileCheckpointCLITests.safeTensors("{}", declaredLength: UInt64.max)),
    ]

    @Test(arguments: cases)
    func matrixExitsWithStatusTwoAndOneLineNamingTheFile(_ hostile: Case) throws {
        let folder = try Fixtures.temporaryDirectory("xsns-hostile-session")
        defer { try? FileManager.default.removeItem(at: folder) }
        var files = try #require(try SessionFolderSeeds.make().first)
        files[hostile.file] = hostile.content
        for (name, bytes) in files {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        let outcome = try CappedProcess.xsns(["matrix", "--session", folder.path, "--metric", hostile.metric])
        #expect(!outcome.timedOut, "xsns matrix did not finish")
        #expect(!outcome.crashed, "xsns matrix crashed (signal \(outcome.status))")
        #expect(outcome.status == 2)
        #expect(outcome.stderr.filter(\.isNewline).count == 1, "one stderr line, got: \(outcome.stderr)")
        #expect(outcome.stderr.contains(folder.appendingPathComponent(hostile.file).path), "\(outcome.stderr)")
    }
}
