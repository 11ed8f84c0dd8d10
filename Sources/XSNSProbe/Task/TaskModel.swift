import Foundation
import XSNSCompute
import XSNSEngine
import XSNSSession
import XSNSStorage
import XSNSTraining

/// The session's model with its task adapter in every layer and its tagging head: what the probe
/// evaluates before and after each transfer fine-tune.
public struct TaskModel {
    public static let adapterName = "task"

    public let loaded: ModelWithTokenizer
    public let model: EncoderModel
    public let head: TokenClassificationHead
    public let record: ProbeTaskRecord

    /// The trained task of `paths` (`probe/task/`), on its own model.
    public init(paths: ProbePaths, threads: Int) throws {
        record = try ProbeTaskRecord.load(paths)
        loaded = try ModelWithTokenizer(spec: record.options.model)
        let weights = try SafeTensorsFile(url: paths.taskWeights)
        func tensor(_ name: String) throws -> [Float]? { weights.info(name) == nil ? nil : try weights.floats(name) }
        let adapter = AdapterSpec(name: Self.adapterName, reduction: record.options.reduction, seed: record.options.seed)
        let parameters = try EncoderParameters(checkpoint: loaded.checkpoint, adapter: adapter, adapterWeights: tensor)
        guard parameters.layout.entries.allSatisfy({ !adapter.owns($0.name) || weights.info($0.name) != nil })
        else { throw InputError(file: paths.taskWeights.path, "lacks adapter tensors of this model; train the task again") }
        model = EncoderModel(parameters: parameters, threads: threads)
        do {
            head = try TokenClassificationHead(tensor: tensor, hidden: loaded.checkpoint.config.hiddenSize)
        } catch {
            throw InputError(file: paths.taskWeights.path, "\(error)")
        }
        guard head.labelCount == record.labels.count else {
            throw InputError(file: paths.taskWeights.path, "its head has \(head.labelCount) labels, config.json lists \(record.labels.count)")
        }
    }

    /// The adapter and head tensors of a trained model, for `adapter.safetensors`.
    static func taskTensors(parameters: EncoderParameters, head: TokenClassificationHead) -> FlatTensors {
        let block = parameters.allValues
        var layout = TensorLayout()
        var values: [Float] = []
        for range in parameters.range(of: .adapters) {
            for entry in block.layout.entries where range.contains(entry.offset) {
                layout.append(name: entry.name, shape: entry.shape)
                values += block.values[entry.range]
            }
        }
        let headTensors = head.tensors
        for entry in headTensors.layout.entries {
            layout.append(name: entry.name, shape: entry.shape)
            values += headTensors.values[entry.range]
        }
        return FlatTensors(layout: layout, values: values)
    }
}
