import Foundation
import XSNSStorage

/// Which of the optional or alternative tensors a validated checkpoint actually has.
public struct ValidatedCheckpoint: Sendable {
    public let schema: CheckpointSchema
    /// nil when the decoder is tied to the word embeddings (the checkpoint omits it).
    public let decoderWeight: String?
    public let decoderBias: String
}

/// Checks, before any computation, that a checkpoint holds every tensor its config implies with
/// the right shape and a floating-point dtype, so a bad download fails in a second with the file
/// and tensor named rather than deep inside the forward pass.
public enum CheckpointValidator {
    public static func validate(_ store: WeightStore, config: EncoderConfig) throws -> ValidatedCheckpoint {
        let schema = CheckpointSchema(config)
        try checkNamingScheme(store, config: config)
        // Layer by layer rather than through `schema.thetaTensors`: that list has 16 entries per
        // layer, and `num_hidden_layers` comes from the file (up to 2^24), so building it first would
        // allocate gigabytes before the first missing tensor is noticed.
        for tensor in schema.embeddingTensors { try check(tensor, in: store) }
        for layer in 0..<config.numLayers {
            for tensor in schema.layerTensors(layer) { try check(tensor, in: store) }
        }
        for tensor in schema.headTransformTensors { try check(tensor, in: store) }
        guard let bias = schema.decoderBiasCandidates.first(where: { store.info($0.name) != nil }) else {
            throw missing(schema.decoderBiasCandidates[0].name, store)
        }
        try check(bias, in: store)
        var decoderWeight: String?
        if store.info(schema.decoderWeight.name) != nil || !config.tieWordEmbeddings {
            try check(schema.decoderWeight, in: store)
            decoderWeight = schema.decoderWeight.name
        }
        try checkNoExtraLayers(store, schema: schema)
        return ValidatedCheckpoint(schema: schema, decoderWeight: decoderWeight, decoderBias: bias.name)
    }

    private static func check(_ expected: ExpectedTensor, in store: WeightStore) throws {
        guard let info = store.info(expected.name) else { throw missing(expected.name, store) }
        let file = store.file(of: expected.name)?.path ?? store.files.directory.path
        guard info.shape == expected.shape else {
            throw InputError(file: file, "tensor '\(expected.name)' has shape \(info.shape) but config.json implies \(expected.shape)")
        }
        guard ["F32", "F16", "BF16", "F64"].contains(info.dtype) else {
            throw InputError(file: file, "tensor '\(expected.name)' has dtype \(info.dtype); F32, F16 or BF16 is needed")
        }
    }

    private static func missing(_ name: String, _ store: WeightStore) -> InputError {
        let file = store.files.weights.count == 1 ? store.files.weights[0].path : store.files.directory.path
        return InputError(file: file, "missing tensor '\(name)'")
    }

    /// A `bert` config with `roberta.*` weights (or the reverse) would otherwise surface as
    /// dozens of missing tensors; say what is actually wrong.
    private static func checkNamingScheme(_ store: WeightStore, config: EncoderConfig) throws {
        let ownPrefix = config.namePrefix + "."
        guard !store.names.contains(where: { $0.hasPrefix(ownPrefix) }) else { return }
        let other = config.family == .bert ? "roberta." : "bert."
        let detail = store.names.contains(where: { $0.hasPrefix(other) })
            ? "the weights use '\(other)*' names but config.json says model_type '\(config.modelType)'"
            : "no tensor starts with '\(ownPrefix)' (not a \(config.modelType) masked-LM checkpoint?)"
        throw InputError(file: store.files.directory.path, detail)
    }

    private static func checkNoExtraLayers(_ store: WeightStore, schema: CheckpointSchema) throws {
        let extra = schema.layerPrefix(schema.config.numLayers)
        if let name = store.names.first(where: { $0.hasPrefix(extra) }) {
            throw InputError(
                file: store.file(of: name)?.path ?? store.files.directory.path,
                "tensor '\(name)' belongs to a layer beyond num_hidden_layers = \(schema.config.numLayers) in config.json")
        }
    }
}
