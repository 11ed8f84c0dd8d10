import Foundation
import Testing
import XSNSSession
import XSNSTestSupport

@testable import XSNSWorkbench

/// The workbench follows what other processes do to its session: a probe run file, a claim taken by a
/// cluster task, a run record or a Fisher file wakes the watcher; a claim's heartbeat (its time) does not;
/// no change, no call.
@Suite struct SessionWatcherTests {
    final class Calls: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }

    @Test func changesElsewhereAreNoticedAndHeartbeatsAreNot() async throws {
        let session = try Fixtures.temporaryDirectory()
        let paths = ProbePaths(session: session)
        try FileManager.default.createDirectory(at: paths.runsFolder, withIntermediateDirectories: true)
        let calls = Calls()
        let watcher = SessionWatcher(session: session, interval: 0.05) { calls.add() }
        defer { watcher.stop() }
        func expectCall(_ count: Int, after change: () throws -> Void) async throws {
            try change()
            for _ in 0..<100 where calls.value < count { try await Task.sleep(nanoseconds: 20_000_000) }
            #expect(calls.value == count)
        }
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(calls.value == 0)
        try await expectCall(1) { try Data("{}".utf8).write(to: paths.run(transfer: "en", steps: 1, run: 1)) }
        let store = try SessionStore.openOrCreate(folder: session)
        try await Task.sleep(nanoseconds: 200_000_000)
        let before = calls.value
        let claim = try store.claim(language: "fi", seed: 1)
        try await expectCall(before + 1) {}
        // A loaded machine may see the claim's creation in two polls: let it settle before the heartbeat.
        try await Task.sleep(nanoseconds: 300_000_000)
        let settled = calls.value
        let claimFile = session.appendingPathComponent("claims/fi.seed1/1.claim")
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: claimFile.path)
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(calls.value == settled, "a heartbeat alone is no change")
        claim.release()
        try await expectCall(settled + 1) {}
    }

    /// A queue can change with no file changing: while runs are elsewhere the watcher also polls.
    @Test func itPollsWhileRunsAreElsewhere() async throws {
        let session = try Fixtures.temporaryDirectory()
        let calls = Calls()
        final class Flag: @unchecked Sendable { var on = false }
        let elsewhere = Flag()
        let watcher = SessionWatcher(session: session, interval: 0.05, pollTicks: 2, polling: { elsewhere.on }) { calls.add() }
        defer { watcher.stop() }
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(calls.value == 0, "nothing changed and nothing is elsewhere")
        elsewhere.on = true
        for _ in 0..<100 where calls.value < 2 { try await Task.sleep(nanoseconds: 20_000_000) }
        #expect(calls.value >= 2)
    }
}
