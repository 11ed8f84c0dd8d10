import Foundation
import XSNSAnalysis
import XSNSSession
import XSNSStorage
import XSNSTUI

/// Head-level sub-networks (Choenni et al.): each language's pruned heads (`pruning/<lang>.json`, `xsns
/// prune-heads`) when the session has any, else its most important attention heads, importance being
/// `heads/<lang>.seed<k>.safetensors` (`head_importance`, [layers, heads]) averaged over the language's seeds.
struct HeadUsage: Equatable {
    /// Per-language masks, masks[language][layer][head].
    var masks: [String: [[Bool]]] = [:]
    /// How many languages keep each head.
    var counts: [[Int]] = []
    var pruned = false
    /// Per-language pruning steps.
    var curves: [String: [PruningPoint]] = [:]

    /// Pruned masks only, and only the languages pruned so far (mixing them with importance masks would
    /// count two different things). Nil when the session has no pruning record.
    /// A record that cannot be read is thrown (the caller reports it and shows the importance masks).
    static func loadPruned(paths: SessionPaths) throws -> HeadUsage? {
        let records = try HeadPruningRecord.all(session: paths.folder)  // one shape for all, checked there
        guard !records.isEmpty else { return nil }
        var usage = HeadUsage(pruned: true)
        for (language, record) in records {
            usage.masks[language] = record.subnetwork.used
            usage.curves[language] = record.steps.map { PruningPoint(heads: $0.heads, accuracy: $0.accuracy, accepted: $0.accepted) }
        }
        usage.counts = HeadMask.usage(usage.masks.keys.sorted().map { HeadMask(usage.masks[$0]!) })
        return usage
    }

    static let tensorName = "head_importance"

    /// Languages without head files are left out; a file of the wrong shape is reported in `problems`.
    static func load(paths: SessionPaths, seeds: [String: [Int]], fraction: Double) -> (HeadUsage, [String]) {
        var usage = HeadUsage()
        var problems: [String] = []
        var kept: [HeadMask] = []
        for language in seeds.keys.sorted() {
            var sum: [[Double]]?
            var count = 0
            for seed in seeds[language] ?? [] {
                let url = paths.headImportance(language: language, seed: seed)
                guard FileManager.default.fileExists(atPath: url.path) else { continue }
                do {
                    let grid = try read(url)
                    if let current = sum {
                        guard current.count == grid.count, current.first?.count == grid.first?.count else {
                            throw InputError(file: url.path, "head_importance shape differs between seeds")
                        }
                        sum = zip(current, grid).map { zip($0, $1).map { $0 + $1 } }
                    } else {
                        sum = grid
                    }
                    count += 1
                } catch {
                    problems.append("\(error)")
                }
            }
            guard let sum, count > 0 else { continue }
            let mask = HeadGrid(sum.map { $0.map { $0 / Double(count) } }).mask(fraction: fraction)
            if let first = kept.first, first.used.count != mask.used.count || first.used.first?.count != mask.used.first?.count {
                problems.append("\(language): head grid differs in shape from the other languages")
                continue
            }
            usage.masks[language] = mask.used
            kept.append(mask)
        }
        usage.counts = HeadMask.usage(kept)
        return (usage, problems)
    }

    private static func read(_ url: URL) throws -> [[Double]] {
        let file = try SafeTensorsFile(url: url)
        guard let info = file.info(tensorName), info.shape.count == 2, info.shape[0] > 0, info.shape[1] > 0 else {
            throw InputError(file: url.path, "no [layers, heads] tensor \(tensorName)")
        }
        let values = try file.floats(tensorName)
        let heads = info.shape[1]
        guard values.count == info.shape[0] * heads else {
            throw InputError(file: url.path, "\(tensorName) holds \(values.count) values for shape \(info.shape)")
        }
        return (0..<info.shape[0]).map { layer in values[(layer * heads)..<((layer + 1) * heads)].map(Double.init) }
    }
}
