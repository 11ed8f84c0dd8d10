import Foundation
import Testing
import XSNSTestSupport

/// Hostile checkpoint folders through the real command line (`xsns inspect`): exit status 2 and one
/// stderr line naming the offending file, under a memory cap that turns any allocation sized by a
/// number read from the file (a 2^40-element tensor, 2^24 layers) into a crash, which fails here.
struct HostileCheckpointCLITests {
    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        /// File name → new content, over a copy of the micro XLM-R checkpoint.
        let replacements: [String: [UInt8]]
        /// The file the error line must name.
        let culprit: String
        var testDescription: String { label }
    }

    static func safeTensors(_ header: String, data: Int = 16, declaredLength: UInt64? = nil) -> [UInt8] {
        let bytes = Array(header.utf8)
        return InputMutator.framed(length: declaredLength ?? UInt64(bytes.count), bytes, [UInt8](repeating: 0, count: data))
    }

    static func config(_ change: (inout String) -> Void) throws -> [UInt8] {
        var text = String(decoding: try FuzzSeeds.bytes("fuzz/checkpoints/xlmr-micro/config.json"), as: UTF8.self)
        change(&text)
        return Array(text.utf8)
    }

    static let word = "roberta.embeddings.word_embeddings.weight"

    static func cases() throws -> [Case] {
        [
            Case(label: "safetensors header that is not JSON",
                 replacements: ["model.safetensors": safeTensors("{\"a\":{\"dtype\":")], culprit: "model.safetensors"),
            Case(label: "a declared 2^40-element tensor beyond the data area",
                 replacements: ["model.safetensors": safeTensors(
                    #"{"\#(word)":{"dtype":"F32","shape":[1099511627776],"data_offsets":[0,4398046511104]}}"#)],
                 culprit: "model.safetensors"),
            Case(label: "a declared 2^40-element tensor with a 16-byte data span",
                 replacements: ["model.safetensors": safeTensors(
                    #"{"\#(word)":{"dtype":"F32","shape":[1048576,1048576],"data_offsets":[0,16]}}"#)],
                 culprit: "model.safetensors"),
            Case(label: "a shape whose product overflows",
                 replacements: ["model.safetensors": safeTensors(
                    #"{"\#(word)":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,16]}}"#)],
                 culprit: "model.safetensors"),
            Case(label: "header length 2^63-1",
                 replacements: ["model.safetensors": safeTensors("{}", declaredLength: UInt64(Int64.max))],
                 culprit: "model.safetensors"),
            Case(label: "num_hidden_layers 2^24",
                 replacements: ["config.json": try config {
                    $0 = $0.replacingOccurrences(of: "\"num_hidden_layers\": 1", with: "\"num_hidden_layers\": 16777216") }],
                 culprit: "model.safetensors"),
            Case(label: "vocab_size and hidden_size 2^24",
                 replacements: ["config.json": try config {
                    $0 = $0.replacingOccurrences(of: "\"vocab_size\": 10", with: "\"vocab_size\": 16777216")
                        .replacingOccurrences(of: "\"hidden_size\": 4", with: "\"hidden_size\": 16777216") }],
                 culprit: "model.safetensors"),
            Case(label: "config.json nested 100000 deep",
                 replacements: ["config.json": Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)],
                 culprit: "config.json"),
            Case(label: "config.json of 513 '[' (JSONDecoder traps at the nesting limit at the last byte)",
                 replacements: ["config.json": Array(String(repeating: "[", count: 513).utf8)], culprit: "config.json"),
            Case(label: "tokenizer.json that is not JSON",
                 replacements: ["tokenizer.json": Array("{\"model\":".utf8)], culprit: "tokenizer.json"),
        ]
    }

    static func folder(with replacements: [String: [UInt8]]) throws -> URL {
        let folder = try Fixtures.temporaryDirectory("xsns-hostile")
        for (name, bytes) in try FuzzSeeds.folder("fuzz/checkpoints/xlmr-micro").merging(replacements, uniquingKeysWith: { $1 }) {
            try Data(bytes).write(to: folder.appendingPathComponent(name))
        }
        return folder
    }

    @Test(arguments: try cases())
    func exitsWithStatusTwoAndOneLineNamingTheFile(_ hostile: Case) throws {
        let folder = try Self.folder(with: hostile.replacements)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try CappedProcess.xsns(["inspect", folder.path])
        #expect(!outcome.timedOut, "xsns inspect did not finish")
        #expect(!outcome.crashed, "xsns inspect crashed (signal \(outcome.status)), out of memory under the cap?")
        #expect(outcome.status == 2)
        let lines = outcome.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 1, "one stderr line, got: \(outcome.stderr)")
        #expect(outcome.stderr.contains(folder.appendingPathComponent(hostile.culprit).path), "\(outcome.stderr)")
    }

    /// The same contract through the test support's plain runner, as every CLI test runs xsns.
    @Test func malformedWeightsThroughTheCommandLine() throws {
        let folder = try Self.folder(with: ["model.safetensors": Array("not safetensors".utf8)])
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try XSNSBinary.run(["inspect", folder.path])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("xsns: \(folder.appendingPathComponent("model.safetensors").path): "), "\(result.stderr)")
        #expect(result.stderr.hasSuffix("\n") && result.stderr.filter(\.isNewline).count == 1, "\(result.stderr)")
    }
}
