import Foundation
import XSNSSession

/// Watches a session folder while the workbench is open for what other processes do to it: a probe
/// running in another terminal writes one file per finished run (the Probe view fills in), cluster tasks
/// and other `compute` processes claim, record and publish runs (the Languages view shows them queued,
/// running elsewhere, done). Every `interval` it compares the names and sizes (and for results their
/// modification times) of those files with the last look, and calls `changed` when they differ. Claim
/// files are compared without their times, which every heartbeat moves. A queue changes without any file
/// changing (a pending task cancelled): while `polling()` says runs are elsewhere, `changed` is also called
/// every `pollTicks` intervals.
final class SessionWatcher: @unchecked Sendable {
    private let session: URL
    private let timer: DispatchSourceTimer
    private var signature: [String]

    init(session: URL, interval: Double = 2, pollTicks: Int = 5, polling: @escaping @Sendable () -> Bool = { false },
         changed: @escaping @Sendable () -> Void) {
        self.session = session
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "xsns.workbench.session-watch", qos: .utility))
        signature = []
        signature = currentSignature()
        timer.schedule(deadline: .now() + interval, repeating: interval)
        var ticks = 0
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            ticks += 1
            let now = currentSignature()
            guard now != signature || (ticks % pollTicks == 0 && polling()) else { return }
            signature = now
            changed()
        }
        timer.resume()
    }

    deinit { timer.cancel() }

    func stop() { timer.cancel() }

    private func currentSignature() -> [String] {
        let probe = ProbePaths(session: session)
        let claims = session.appendingPathComponent("claims")
        let claimFiles = children(claims).flatMap(children)
        return describe([probe.original, session.appendingPathComponent("slurm/submissions.json")]
                        + children(probe.runsFolder) + children(session.appendingPathComponent("runs"))
                        + children(session.appendingPathComponent("fisher")), withTimes: true)
            + describe(claimFiles, withTimes: false)
    }

    private func children(_ folder: URL) -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted().map { folder.appendingPathComponent($0) }
    }

    private func describe(_ urls: [URL], withTimes: Bool) -> [String] {
        urls.compactMap { url in
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else { return nil }
            let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            let modified = withTimes ? (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0 : 0
            return "\(url.path) \(size) \(modified)"
        }
    }
}
