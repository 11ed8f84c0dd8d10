import Foundation
import XSNSEngine
import XSNSStorage

/// A training run's resumable state in `.train-state/snapshot.safetensors`: every parameter of the block
/// (`parameters`), the optimizer's moments (`adam`, m then v), and in the metadata the step and how many
/// bytes of the journals belong to it.
struct TrainingSnapshot {
    var step: Int
    var logBytes: UInt64
    var inputBytes: UInt64

    static func url(in folder: URL) -> URL { folder.appendingPathComponent("snapshot.safetensors") }

    func save(to folder: URL, model: EncoderModel, optimizer: AdamW) throws {
        let parameters = model.parameters.allValues.values, moments = optimizer.stateValues
        let layout = TensorLayout([("parameters", [parameters.count]), ("adam", [moments.count])])
        try SafeTensorsWriter.write(
            FlatTensors(layout: layout, values: parameters + moments),
            metadata: ["step": "\(step)", "log_bytes": "\(logBytes)", "input_bytes": "\(inputBytes)"],
            to: Self.url(in: folder))
    }

    /// Restores the model and optimizer from a saved state; nil (and nothing changed) when there is none.
    static func load(from folder: URL, model: EncoderModel, optimizer: AdamW) throws -> TrainingSnapshot? {
        let url = url(in: folder)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let file = try SafeTensorsFile(url: url)
        guard let step = file.metadata["step"].flatMap(Int.init), let log = file.metadata["log_bytes"].flatMap(UInt64.init),
              let inputs = file.metadata["input_bytes"].flatMap(UInt64.init) else {
            throw InputError(file: url.path, "the training state's metadata is incomplete")
        }
        let parameters = try file.floats("parameters"), moments = try file.floats("adam")
        guard parameters.count == model.parameters.layout.totalCount else {
            throw InputError(file: url.path, "the training state does not match the model")
        }
        do { try optimizer.restore(step: step, stateValues: moments) } catch {
            throw InputError(file: url.path, "\(error)")
        }
        let block = model.parameters.blockPointer
        parameters.withUnsafeBufferPointer { block.update(from: $0.baseAddress!, count: $0.count) }
        return TrainingSnapshot(step: step, logBytes: log, inputBytes: inputs)
    }
}
