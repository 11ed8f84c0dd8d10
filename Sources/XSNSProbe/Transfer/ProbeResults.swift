import Foundation
import XSNSAnalysis
import XSNSSession
import XSNSStorage

/// What a session's probe has measured so far, read from its files: per step count, the accuracy change
/// (points) of every finished run for each (transfer, target). Used for the Δ tables and by the
/// workbench's Probe view, which also shows runs still missing.
public struct ProbeResults: Sendable {
    public let options: ProbeOptions
    /// Target → accuracy (0…1) of the unchanged model.
    public let original: [String: Double]
    /// steps → transfer → target → the change of each finished run, in accuracy points.
    public let changes: [Int: [String: [String: [Double]]]]

    /// Nil when the session has no probe runs yet.
    public static func load(_ paths: ProbePaths) throws -> ProbeResults? {
        guard FileManager.default.fileExists(atPath: paths.runOptions.path),
              FileManager.default.fileExists(atPath: paths.original.path) else { return nil }
        func read<T: Decodable>(_ type: T.Type, _ url: URL) throws -> T {
            do {
                return try JSONDecoder().decodeScreened(type, from: Data(contentsOf: url))
            } catch {
                throw InputError(file: url.path, "unreadable probe file: \(error)")
            }
        }
        let options = try read(ProbeOptions.self, paths.runOptions)
        let original = try read(OriginalAccuracy.self, paths.original).mapValues(\.accuracy)
        var changes: [Int: [String: [String: [Double]]]] = [:]
        for steps in options.steps {
            for transfer in options.transfer {
                for run in 1...options.runs {
                    let url = paths.run(transfer: transfer, steps: steps, run: run)
                    guard FileManager.default.fileExists(atPath: url.path) else { continue }
                    let record = try read(ProbeRunRecord.self, url)
                    for target in options.targets {
                        guard let after = record.accuracy[target]?.accuracy, let before = original[target] else { continue }
                        changes[steps, default: [:]][transfer, default: [:]][target, default: []].append((after - before) * 100)
                    }
                }
            }
        }
        return ProbeResults(options: options, original: original, changes: changes)
    }

    /// The mean change over the finished runs; nil when none has finished.
    public func delta(steps: Int, transfer: String, target: String) -> Double? {
        guard let runs = changes[steps]?[transfer]?[target], !runs.isEmpty else { return nil }
        return runs.reduce(0, +) / Double(runs.count)
    }

    public func finishedRuns(steps: Int, transfer: String, target: String) -> Int {
        changes[steps]?[transfer]?[target]?.count ?? 0
    }

    /// [transfer][target] of `delta`, in the options' order.
    public func deltaGrid(steps: Int) -> [[Double?]] {
        options.transfer.map { s in options.targets.map { delta(steps: steps, transfer: s, target: $0) } }
    }

    /// [transfer][target] of `finishedRuns`, in the options' order.
    public func runsGrid(steps: Int) -> [[Int]] {
        options.transfer.map { s in options.targets.map { finishedRuns(steps: steps, transfer: s, target: $0) } }
    }

    /// The cells of `steps` whose every run has finished, as a transfer table (source = transfer language).
    public func completeCells(steps: Int) -> TransferTable {
        var table = TransferTable()
        for transfer in options.transfer {
            for target in options.targets where finishedRuns(steps: steps, transfer: transfer, target: target) == options.runs {
                table.insert(source: transfer, target: target, value: delta(steps: steps, transfer: transfer, target: target)!)
            }
        }
        return table
    }

    /// The gold-format CSV of `completeCells`; nil when no cell is complete.
    public func table(steps: Int) -> String? {
        let pairs = completeCells(steps: steps).pairs
        guard !pairs.isEmpty else { return nil }
        return (["source,target,score"] + pairs.map { "\($0.source),\($0.target),\($0.value)" }).joined(separator: "\n") + "\n"
    }
}
