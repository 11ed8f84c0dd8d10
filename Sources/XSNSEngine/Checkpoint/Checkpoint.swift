import Foundation
import XSNSStorage

/// A resolved, parsed and validated checkpoint: what the engine and `xsns inspect` start from.
public struct Checkpoint: Sendable {
    public let files: ModelFiles
    public let config: EncoderConfig
    public let weights: WeightStore
    public let tensors: ValidatedCheckpoint

    public init(_ files: ModelFiles) throws {
        self.files = files
        config = try EncoderConfig(contentsOf: files.config)
        weights = try WeightStore(files)
        tensors = try CheckpointValidator.validate(weights, config: config)
    }

    public static func open(
        _ spec: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> Checkpoint {
        try Checkpoint(ModelResolver.resolve(spec, environment: environment))
    }
}
