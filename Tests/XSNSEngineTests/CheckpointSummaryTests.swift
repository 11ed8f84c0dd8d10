import Foundation
import Testing
import XSNSEngine
import XSNSStorage
import XSNSTestSupport

struct CheckpointSummaryTests {
    @Test(arguments: CheckpointFixtures.models)
    func countsAndTypesMatchPython(model: String) throws {
        let expected = try CheckpointFixtures.expected(model)
        let summary = try CheckpointSummary(Checkpoint.open(CheckpointFixtures.folder(model).path, environment: [:]))
        #expect(summary.totalParameters == expected.total_parameters)
        #expect(summary.thetaParameters == expected.theta_parameters)
        let dtypeNames = ["float32": "F32", "float16": "F16", "bfloat16": "BF16"]
        let counts = Dictionary(grouping: expected.tensors.values, by: { dtypeNames[$0.dtype] ?? "?" }).mapValues(\.count)
        #expect(summary.dtypeCounts == counts)
        #expect(summary.tokenizerType == (expected.model_type == "bert" ? "WordPiece" : "Unigram"))
        #expect(summary.files.map(\.name) == expected.files + ["config.json", "tokenizer.json"])
        for file in summary.files {
            let attributes = try FileManager.default.attributesOfItem(atPath: CheckpointFixtures.folder(model).appendingPathComponent(file.name).path)
            #expect(file.bytes == attributes[.size] as? Int)
        }
    }

    @Test func theReportShowsTheEssentials() throws {
        let summary = try CheckpointSummary(Checkpoint.open(CheckpointFixtures.folder("xlmr-tiny-sharded").path, environment: [:]))
        let report = summary.report
        #expect(report.contains("xlm-roberta (RoBERTa family): 2 layers, hidden 48, 3 heads, intermediate 80, vocab 56"))
        #expect(report.contains("42,072 total, θ 34,816 (encoder.layer.*)"))
        #expect(report.contains("F32 (42 tensors)"))
        #expect(report.contains("tokenizer.json (Unigram)"))
        #expect(report.contains("model-00004-of-00004.safetensors"))
        #expect(report.contains("tied to the word embeddings"))
    }

    @Test func aTokenizerWithoutModelTypeIsAnInputError() throws {
        let folder = try CheckpointFixtures.copy("bert-tiny")
        try Data(#"{"model":{}}"#.utf8).write(to: folder.appendingPathComponent("tokenizer.json"))
        #expect(throws: InputError.self) { try CheckpointSummary(Checkpoint.open(folder.path, environment: [:])) }
    }
}
