import Foundation
import XSNSSession

/// Watches a session's probe folder while the workbench is open: a probe running in another terminal
/// (or on a cluster) writes one file per finished run, and the Probe view should fill in as they come.
/// Every `interval` it compares the names, sizes and modification times of `probe/runs/` and
/// `probe/original.json` with the last look, and calls `changed` when they differ.
final class ProbeWatcher: @unchecked Sendable {
    private let paths: ProbePaths
    private let timer: DispatchSourceTimer
    private var signature: [String]

    init(paths: ProbePaths, interval: Double = 2, changed: @escaping @Sendable () -> Void) {
        self.paths = paths
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "xsns.workbench.probe-watch", qos: .utility))
        signature = []
        signature = currentSignature()
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            let now = currentSignature()
            guard now != signature else { return }
            signature = now
            changed()
        }
        timer.resume()
    }

    deinit { timer.cancel() }

    func stop() { timer.cancel() }

    private func currentSignature() -> [String] {
        let manager = FileManager.default
        let runs = (try? manager.contentsOfDirectory(atPath: paths.runsFolder.path)) ?? []
        return ([paths.original] + runs.sorted().map { paths.runsFolder.appendingPathComponent($0) }).compactMap { url in
            guard let attributes = try? manager.attributesOfItem(atPath: url.path) else { return nil }
            let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(url.lastPathComponent) \(size) \(modified)"
        }
    }
}
