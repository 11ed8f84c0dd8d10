import Foundation
import Testing
@testable import XSNSEngine
import XSNSStorage

/// The parameter block's word embeddings are mapped from the checkpoint copy-on-write: the loaded values
/// must equal a plain read, a write must stay private to the process, and a placement that cannot be
/// mapped must fall back to reading.
struct FileBackedBlockTests {
    @Test(arguments: CheckpointFixtures.models)
    func aLoadedBlockHoldsEveryTensorAsStored(model: String) throws {
        let checkpoint = try Checkpoint.open(CheckpointFixtures.folder(model).path, environment: [:])
        let parameters = try EncoderParameters(checkpoint: checkpoint)
        let storedAsF32 = checkpoint.weights.info(parameters.layout.entries[0].name)?.dtype == "F32"
        #expect(parameters.values.isFileBacked == storedAsF32, "\(model)")
        let all = parameters.allValues
        for entry in parameters.layout.entries where checkpoint.weights.info(entry.name) != nil {
            let stored = try checkpoint.weights.floats(entry.name)
            #expect(all.values[entry.offset..<(entry.offset + entry.count)].elementsEqual(stored), "\(model) \(entry.name)")
        }
    }

    @Test func writingTheBlockLeavesTheCheckpointFileAsItWas() throws {
        let folder = try CheckpointFixtures.copy("xlmr-tiny")
        let checkpoint = try Checkpoint.open(folder.path, environment: [:])
        let weights = try #require(checkpoint.weights.file(of: "roberta.embeddings.word_embeddings.weight"))
        let before = try Data(contentsOf: weights)
        let parameters = try EncoderParameters(checkpoint: checkpoint)
        #expect(parameters.values.isFileBacked)
        let original = parameters.allValues.values
        parameters.restore(original.map { $0 + 1 })
        #expect(parameters.allValues.values == original.map { $0 + 1 })
        #expect(try Data(contentsOf: weights) == before)
        let reloaded = try EncoderParameters(checkpoint: Checkpoint.open(folder.path, environment: [:]))
        #expect(reloaded.allValues.values == original)
    }

    @Test func aTensorAtAnyFourByteOffsetIsPlacedAndTheRestIsWritable() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("xsns-block-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        let values = (0..<3000).map { Float($0) * 0.5 - 7 }
        for offset in [0, 4, 4092, 4096, 4100, 8188] {
            var bytes = Data(repeating: 0xAB, count: offset)
            values.withUnsafeBytes { bytes.append(contentsOf: $0) }
            bytes.append(Data(repeating: 0xCD, count: 100))
            try bytes.write(to: url)
            let placement = TensorPlacement(url: url, byteOffset: offset, byteCount: values.count * 4)
            let block = try #require(FloatBuffer(uninitializedCount: 5000, leadingTensor: placement))
            #expect(block.isFileBacked)
            #expect(Array(UnsafeBufferPointer(start: block.pointer, count: values.count)) == values, "offset \(offset)")
            for i in values.count..<5000 { block[i] = Float(i) }
            block[0] = 42
            #expect(block[0] == 42 && block[values.count] == Float(values.count) && block[4999] == 4999)
            #expect(try Data(contentsOf: url) == bytes)
        }
    }

    @Test func anOffsetThatIsNotFloatAlignedOrAMissingFileIsNotPlaced() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("xsns-block-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(repeating: 1, count: 10_000).write(to: url)
        #expect(FloatBuffer(uninitializedCount: 100, leadingTensor: TensorPlacement(url: url, byteOffset: 6, byteCount: 40)) == nil)
        let absent = url.appendingPathExtension("absent")
        #expect(FloatBuffer(uninitializedCount: 100, leadingTensor: TensorPlacement(url: absent, byteOffset: 0, byteCount: 40)) == nil)
    }
}
