import Foundation
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
        let decoder = JSONDecoder()
        let options = try decoder.decodeScreened(ProbeOptions.self, from: Data(contentsOf: paths.runOptions))
        let accuracy = try decoder.decodeScreened(OriginalAccuracy.self, from: Data(contentsOf: paths.original))
        let original = accuracy.mapValues(\.accuracy)
        var changes: [Int: [String: [String: [Double]]]] = [:]
        for steps in options.steps {
            for transfer in options.transfer {
                for run in 1...options.runs {
                    let url = paths.run(transfer: transfer, steps: steps, run: run)
                    guard let data = try? Data(contentsOf: url) else { continue }
                    let record = try decoder.decodeScreened(ProbeRunRecord.self, from: data)
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

    /// The gold-format table for `steps`: the rows whose every run has finished.
    public func table(steps: Int) -> String? {
        var rows = ["source,target,score"]
        for transfer in options.transfer {
            for target in options.targets where finishedRuns(steps: steps, transfer: transfer, target: target) == options.runs {
                rows.append("\(transfer),\(target),\(delta(steps: steps, transfer: transfer, target: target)!)")
            }
        }
        return rows.count > 1 ? rows.joined(separator: "\n") + "\n" : nil
    }
}
