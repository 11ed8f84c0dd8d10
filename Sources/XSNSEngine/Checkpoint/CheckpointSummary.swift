import Foundation
import XSNSStorage

/// What `xsns inspect` reports about a checkpoint.
public struct CheckpointSummary: Sendable {
    public struct File: Sendable, Equatable {
        public let name: String
        public let bytes: Int
    }

    public let spec: String
    public let directory: URL
    public let config: EncoderConfig
    public let totalParameters: Int
    /// Every parameter under `encoder.layer.*`, the tensors whose Fisher information is computed.
    public let thetaParameters: Int
    /// Tensor count per dtype, e.g. `["F32": 199]`.
    public let dtypeCounts: [String: Int]
    public let files: [File]
    public let tiedDecoder: Bool
    /// `model.type` of tokenizer.json (`Unigram`, `WordPiece`, `BPE`…), nil without tokenizer.json.
    public let tokenizerType: String?

    public init(_ checkpoint: Checkpoint) throws {
        spec = checkpoint.files.spec
        directory = checkpoint.files.directory
        config = checkpoint.config
        let store = checkpoint.weights
        let thetaPrefix = "\(checkpoint.config.namePrefix).encoder.layer."
        var total = 0, theta = 0
        var dtypes: [String: Int] = [:]
        for name in store.names {
            guard let info = store.info(name) else { continue }
            total += info.elementCount
            if name.hasPrefix(thetaPrefix) { theta += info.elementCount }
            dtypes[info.dtype, default: 0] += 1
        }
        totalParameters = total
        thetaParameters = theta
        dtypeCounts = dtypes
        let listed = checkpoint.files.weights + [checkpoint.files.config] + [checkpoint.files.tokenizer].compactMap { $0 }
        files = listed.map { url in
            let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
            return File(name: url.lastPathComponent, bytes: (attributes?[.size] as? Int) ?? 0)
        }
        tiedDecoder = checkpoint.tensors.decoderWeight == nil
        tokenizerType = try checkpoint.files.tokenizer.map(Self.tokenizerModelType)
    }

    /// Reads only `"model": {"type": …}`; the tokenizer pipeline itself belongs to XSNSTokenizers.
    static func tokenizerModelType(_ url: URL) throws -> String {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw InputError(file: url.path, "cannot read: \(error.localizedDescription)")
        }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw InputError(file: url.path, "not a JSON object")
        }
        guard let model = root["model"] as? [String: Any], let type = model["type"] as? String else {
            throw InputError(file: url.path, "no \"model\".\"type\" field")
        }
        return type
    }

    public var report: String {
        let family = config.family == .roberta ? "RoBERTa family" : "BERT family"
        let dtypes = dtypeCounts.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value) tensors)" }
        let width = files.map(\.name.count).max() ?? 0
        var lines = [
            "model         \(spec)",
            "folder        \(directory.path)",
            "architecture  \(config.modelType) (\(family)): \(config.numLayers) layers, hidden \(config.hiddenSize), "
                + "\(config.numHeads) heads, intermediate \(config.intermediateSize), vocab \(config.vocabSize), "
                + "max positions \(config.maxPositionEmbeddings)",
            "parameters    \(Self.grouped(totalParameters)) total, θ \(Self.grouped(thetaParameters)) (encoder.layer.*)",
            "dtypes        \(dtypes.joined(separator: ", "))",
            "MLM decoder   \(tiedDecoder ? "tied to the word embeddings" : "stored separately")",
            "tokenizer     \(tokenizerType.map { "tokenizer.json (\($0))" } ?? "none (no tokenizer.json)")",
            "files",
        ]
        for file in files {
            lines.append("  \(file.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(Self.byteSize(file.bytes))")
        }
        return lines.joined(separator: "\n")
    }

    /// 278295186 → "278,295,186".
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return (value < 0 ? "-" : "") + result
    }

    static func byteSize(_ bytes: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
