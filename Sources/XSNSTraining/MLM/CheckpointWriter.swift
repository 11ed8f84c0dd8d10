import Foundation
import XSNSEngine
import XSNSStorage

/// Writes a trained model in Hugging Face layout: `model.safetensors` with the checkpoint's own tensor
/// names (every parameter the engine holds, plus the source checkpoint's other float tensors unchanged,
/// e.g. a pooler), and the source's config and tokenizer files. Each file atomically.
enum CheckpointWriter {
    /// Files copied beside the weights when the source has them.
    static let companionFiles = ["config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                                 "sentencepiece.bpe.model", "vocab.txt"]

    static func write(parameters: EncoderParameters, source: Checkpoint, to folder: URL) throws {
        var layout = parameters.layout
        var values = parameters.allValues.values
        for name in source.weights.names where layout[name] == nil {
            guard let info = source.weights.info(name), ["F32", "F16", "BF16"].contains(info.dtype),
                  let floats = try? source.weights.floats(name) else { continue }
            layout.append(name: name, shape: info.shape)
            values += floats
        }
        try SafeTensorsWriter.write(FlatTensors(layout: layout, values: values), metadata: ["format": "pt"],
                                    to: folder.appendingPathComponent("model.safetensors"))
        for file in companionFiles {
            let url = source.files.directory.appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            try AtomicFile.write(try Data(contentsOf: url), to: folder.appendingPathComponent(file))
        }
    }
}
