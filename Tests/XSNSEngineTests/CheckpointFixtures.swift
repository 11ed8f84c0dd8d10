import Foundation
import XSNSEngine
import XSNSStorage
import XSNSTestSupport

/// The tiny checkpoints of `Tests/Fixtures/checkpoints/models` and what Python read from them.
enum CheckpointFixtures {
    static let models = ["xlmr-tiny", "xlmr-tiny-sharded", "xlmr-tiny-f16", "bert-tiny", "bert-tiny-bf16"]

    static func folder(_ model: String) -> URL {
        Fixtures.url("checkpoints/models/\(model)")
    }

    struct Expected: Decodable {
        struct Tensor: Decodable {
            let file: String
            let dtype: String
            let shape: [Int]
            let head_bits: [UInt32]
            let sum: Double
        }
        let model_type: String
        let files: [String]
        let tensors: [String: Tensor]
        let total_parameters: Int
        let theta_parameters: Int
    }

    static func expected(_ model: String) throws -> Expected {
        let data = try Data(contentsOf: folder(model).appendingPathComponent("expected.json"))
        return try JSONDecoder().decode(Expected.self, from: data)
    }

    /// A copy of a fixture model in a temporary folder, for tests that break it.
    static func copy(_ model: String) throws -> URL {
        let target = try Fixtures.temporaryDirectory("checkpoint").appendingPathComponent(model)
        try FileManager.default.copyItem(at: folder(model), to: target)
        return target
    }

    /// Rewrites a copied checkpoint's single weight file through `edit` (F32 only).
    static func rewriteWeights(in folder: URL, _ edit: (inout [(name: String, shape: [Int], values: [Float])]) -> Void) throws {
        let url = folder.appendingPathComponent("model.safetensors")
        let file = try SafeTensorsFile(url: url)
        var tensors = try file.tensors.map { (name: $0.name, shape: $0.shape, values: try file.floats($0.name)) }
        edit(&tensors)
        let layout = TensorLayout(tensors.map { (name: $0.name, shape: $0.shape) })
        let flat = FlatTensors(layout: layout, values: tensors.flatMap(\.values))
        try SafeTensorsWriter.write(flat, metadata: ["format": "pt"], to: url)
    }

    /// A fake Hugging Face cache holding `model` as `repository`, laid out as huggingface_hub
    /// does: blobs, a snapshot of symlinks to them, and `refs/main` naming the snapshot.
    static func hubCache(holding model: String, as repository: String, withReference: Bool = true) throws -> URL {
        let fileManager = FileManager.default
        let root = try Fixtures.temporaryDirectory("hub")
        let repositoryFolder = root.appendingPathComponent("models--" + repository.replacingOccurrences(of: "/", with: "--"))
        let commit = "0123456789abcdef0123456789abcdef01234567"
        let snapshot = repositoryFolder.appendingPathComponent("snapshots/\(commit)")
        let blobs = repositoryFolder.appendingPathComponent("blobs")
        try fileManager.createDirectory(at: snapshot, withIntermediateDirectories: true)
        try fileManager.createDirectory(at: blobs, withIntermediateDirectories: true)
        for (index, name) in try fileManager.contentsOfDirectory(atPath: folder(model).path).enumerated() {
            let blob = blobs.appendingPathComponent("blob\(index)")
            try fileManager.copyItem(at: folder(model).appendingPathComponent(name), to: blob)
            try fileManager.createSymbolicLink(atPath: snapshot.appendingPathComponent(name).path,
                                               withDestinationPath: "../../blobs/blob\(index)")
        }
        if withReference {
            try fileManager.createDirectory(at: repositoryFolder.appendingPathComponent("refs"), withIntermediateDirectories: true)
            try Data(commit.utf8).write(to: repositoryFolder.appendingPathComponent("refs/main"))
        }
        return root
    }
}
