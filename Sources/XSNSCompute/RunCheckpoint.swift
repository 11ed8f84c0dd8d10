import Foundation
import XSNSEngine
import XSNSStorage

/// The resumable state of one (language, seed) run, stored as a safetensors file whose tensors are
/// the estimator's running sums and whose metadata holds the rest as JSON. Written atomically, so a
/// `kill -9` leaves either the previous checkpoint or the new one, never a torn file.
struct RunCheckpoint {
    /// What must match for the checkpoint to be resumed rather than discarded.
    struct Identity: Codable, Equatable {
        var language: String
        var seed: Int
        var sentencesPlanned: Int
        var maxLength: Int
        var corpusSHA256: String
        var modelSHA256: [String]
        var tokenizerSHA256: String
        var estimator: String
        var batchSize: Int
        var maskProbability: Double
        var recordInputs: Bool
        /// The run's thread count: it sets the summation order, so a run resumes only with the count it
        /// began with (nil in checkpoints written before it was recorded: those are started afresh).
        var threads: Int?
        /// Whether the EMB sum is being accumulated (nil: yes, as before the option existed).
        var embBaseline: Bool?
        /// D of the sentence sketches being kept (nil: none).
        var sketch: Int?
        /// `ComputeOptions.objectiveDescription` (nil: masked-LM, as before the option existed).
        var objective: String?
    }

    var identity: Identity
    var estimator: FisherEstimatorSnapshot
    /// Σ of mean-pooled last hidden states so far (the EMB baseline), in Double for exact resume.
    var embeddingSum: [Double]
    /// Bytes of the recorded-inputs file that belong to the sentences already done.
    var recordedInputBytes: UInt64
    /// Sentences fed but not yet in `embeddingSum`: the EMB pass runs on packs of sentences whose
    /// boundaries depend on the sentence index alone, so a resumed run packs exactly as an uninterrupted one.
    var pendingEmbedding: [[Int32]] = []

    /// Doubles travel as bit patterns: exact, and a NaN or infinity cannot make a checkpoint unwritable.
    private struct Metadata: Codable {
        var identity: Identity
        var state: FisherEstimatorSnapshot.State
        var embeddingSumBits: [UInt64]
        var recordedInputBytes: UInt64
        /// Absent in checkpoints written before EMB packing (nothing pending then).
        var pendingEmbedding: [[Int32]]?
    }

    private static let nonFinite = (positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")

    private static let metadataKey = "xsns_run_checkpoint"

    func write(to url: URL) throws {
        let metadata = Metadata(
            identity: identity, state: estimator.state, embeddingSumBits: embeddingSum.map(\.bitPattern),
            recordedInputBytes: recordedInputBytes, pendingEmbedding: pendingEmbedding)
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: Self.nonFinite.positiveInfinity, negativeInfinity: Self.nonFinite.negativeInfinity,
            nan: Self.nonFinite.nan)
        let json = String(decoding: try encoder.encode(metadata), as: UTF8.self)
        try SafeTensorsWriter.write(estimator.accumulators, metadata: [Self.metadataKey: json], to: url)
    }

    /// The checkpoint at `url` when it exists and belongs to `identity`; nil otherwise (a checkpoint
    /// from other settings is ignored, and overwritten by the run that starts afresh).
    static func load(_ url: URL, expecting identity: Identity) throws -> RunCheckpoint? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let file = try SafeTensorsFile(url: url)
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: nonFinite.positiveInfinity, negativeInfinity: nonFinite.negativeInfinity,
            nan: nonFinite.nan)
        guard let json = file.metadata[metadataKey],
            let metadata = try? decoder.decodeScreened(Metadata.self, from: Data(json.utf8))
        else {
            throw InputError(file: url.path, "not a run checkpoint written by xsns")
        }
        guard metadata.identity == identity else { return nil }
        var layout = TensorLayout()
        for tensor in file.tensors { layout.append(name: tensor.name, shape: tensor.shape) }
        var values = [Float]()
        values.reserveCapacity(layout.totalCount)
        for tensor in file.tensors { values += try file.floats(tensor.name) }
        return RunCheckpoint(
            identity: identity,
            estimator: FisherEstimatorSnapshot(state: metadata.state, accumulators: FlatTensors(layout: layout, values: values)),
            embeddingSum: metadata.embeddingSumBits.map(Double.init(bitPattern:)),
            recordedInputBytes: metadata.recordedInputBytes, pendingEmbedding: metadata.pendingEmbedding ?? [])
    }
}
