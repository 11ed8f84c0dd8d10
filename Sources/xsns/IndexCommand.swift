import ArgumentParser
import Foundation
import XSNSAnalysis

/// Builds (or checks) a session's mask indexes ahead of time: useful for a session computed by an older
/// version, or copied without its `index/` folder, before opening it in the workbench.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build the session's missing or stale mask indexes (one byte per Fisher value; any p then reads no Fisher file whole) and pair counts (a p of the index grid then reads no index).")

    @Option(help: "Session folder under Sessions/, or a path containing '/'.") var session: String
    @Flag(help: "Rebuild every index from its Fisher file, and every pair-count file, even current ones.") var rebuild = false

    func run() throws {
        let catalog = try openSession(session).catalog
        let store = catalog.indexStore()
        if rebuild {
            for url in catalog.files.values.flatMap(\.values) {
                try? FileManager.default.removeItem(at: store.url(forFisher: url))
                try? FileManager.default.removeItem(at: PairCountStore.url(forIndex: store.url(forFisher: url)))
            }
        }
        let built = BuildCounter()
        let indexes = try catalog.indexes(progress: { done, total, wasBuilt in
            built.record(wasBuilt)
            FileHandle.standardError.write(Data("indexes \(done)/\(total)\n".utf8))
        })
        let count = indexes.values.reduce(0) { $0 + $1.count }
        let bytes = catalog.files.values.flatMap(\.values).reduce(0) { total, url in
            total + ((try? FileManager.default.attributesOfItem(atPath: store.url(forFisher: url).path)[.size] as? Int) ?? 0)
        }
        let counted = try PairCountStore(catalog: catalog).complete(progress: { position, seeds, runs in
            FileHandle.standardError.write(Data("pair counts: seed \(position)/\(seeds), \(runs) runs, one pass over their indexes…\n".utf8))
        })
        print("\(count) mask index(es), \(built.count) built, \(count - built.count) already current; "
            + String(format: "%.1f MB", Double(bytes) / 1e6) + " in \(catalog.session.appendingPathComponent("index").path); "
            + "pair counts \(counted == 0 ? "already complete" : "written for \(counted) run(s)")")
    }
}

private final class BuildCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var built = 0
    func record(_ wasBuilt: Bool) { lock.withLock { if wasBuilt { built += 1 } } }
    var count: Int { lock.withLock { built } }
}
