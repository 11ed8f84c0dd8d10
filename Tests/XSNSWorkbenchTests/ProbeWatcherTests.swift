import Foundation
import Testing
import XSNSSession
import XSNSTestSupport

@testable import XSNSWorkbench

/// The Probe view fills in while a probe runs elsewhere: a new run file wakes the watcher; no change, no call.
@Suite struct ProbeWatcherTests {
    final class Calls: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }

    @Test func aNewRunFileIsNoticed() async throws {
        let paths = ProbePaths(session: try Fixtures.temporaryDirectory())
        try FileManager.default.createDirectory(at: paths.runsFolder, withIntermediateDirectories: true)
        let calls = Calls()
        let watcher = ProbeWatcher(paths: paths, interval: 0.05) { calls.add() }
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(calls.value == 0)
        try Data("{}".utf8).write(to: paths.run(transfer: "en", steps: 1, run: 1))
        for _ in 0..<100 where calls.value == 0 { try await Task.sleep(nanoseconds: 20_000_000) }
        #expect(calls.value == 1)
        watcher.stop()
    }
}
