import Foundation
import XSNSStorage

/// Where a session keeps its probe (`<session>/probe/`):
/// - `task/adapter.safetensors` (adapter + tagging head), `task/config.json`, `task/train_log.jsonl`;
/// - `original.json`: each target's accuracy with the unchanged model;
/// - `runs/options.json` and `runs/<s>.N<steps>.r<run>.json`: one transfer run each;
/// - `transfer-N<steps>.csv`: Δ accuracy points in the gold format (`source,target,score`);
/// - `inputs/` with `--record-inputs`.
public struct ProbePaths: Sendable {
    public let folder: URL

    public init(session: URL) { folder = session.appendingPathComponent("probe") }

    public var taskFolder: URL { folder.appendingPathComponent("task") }
    public var taskWeights: URL { taskFolder.appendingPathComponent("adapter.safetensors") }
    public var taskConfig: URL { taskFolder.appendingPathComponent("config.json") }
    public var taskLog: URL { taskFolder.appendingPathComponent("train_log.jsonl") }
    public var original: URL { folder.appendingPathComponent("original.json") }
    public var runsFolder: URL { folder.appendingPathComponent("runs") }
    public var runOptions: URL { runsFolder.appendingPathComponent("options.json") }
    public var inputsFolder: URL { folder.appendingPathComponent("inputs") }

    public func run(transfer: String, steps: Int, run: Int) -> URL {
        runsFolder.appendingPathComponent("\(transfer).N\(steps).r\(run).json")
    }

    public func runInputs(transfer: String, steps: Int, run: Int) -> URL {
        inputsFolder.appendingPathComponent("\(transfer).N\(steps).r\(run).jsonl")
    }

    public func evaluationInputs(target: String) -> URL {
        inputsFolder.appendingPathComponent("eval-\(target).jsonl")
    }

    public func transferTable(steps: Int) -> URL { folder.appendingPathComponent("transfer-N\(steps).csv") }

    /// The step counts that have a transfer table, ascending.
    public func tabulatedSteps() -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.compactMap { name -> Int? in
            guard name.hasPrefix("transfer-N"), name.hasSuffix(".csv") else { return nil }
            return Int(name.dropFirst("transfer-N".count).dropLast(".csv".count))
        }.sorted()
    }

    /// `--gold probe` (the table of the largest step count) or `probe:N10` / `probe:10`: the session's own
    /// transfer table; nil when `reference` names no probe (it is then a file path).
    public func goldTable(reference: String) throws -> URL? {
        guard reference == "probe" || reference.hasPrefix("probe:") else { return nil }
        let available = tabulatedSteps()
        guard let largest = available.last else {
            throw InputError(file: folder.deletingLastPathComponent().path, "has no probe table yet; run xsns probe")
        }
        guard reference != "probe" else { return transferTable(steps: largest) }
        let wanted = reference.dropFirst("probe:".count)
        guard let steps = Int(wanted.hasPrefix("N") ? wanted.dropFirst() : wanted), available.contains(steps) else {
            throw InputError(file: folder.path, "no transfer table '\(reference)'; it has "
                             + available.map { "probe:N\($0)" }.joined(separator: ", "))
        }
        return transferTable(steps: steps)
    }
}
