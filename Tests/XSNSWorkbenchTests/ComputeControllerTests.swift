import Foundation
import Testing
import XSNSCompute
import XSNSSession
import XSNSTUI
import XSNSTestSupport

@testable import XSNSWorkbench

@Suite struct ComputeControllerTests {
    /// Runs whole: every (language, seed) reports progress and completion, each language finishes once.
    @Test func aJobStreamsProgressAndFinishesEveryLanguage() throws {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        let log = EventLog()
        let completed = EventLog()
        let controller = ComputeController(
            request: { SmallSession.request(session, languages: ["en", "fi"]) }, post: log.post,
            runCompleted: { language, _ in completed.post(.notice(language)) })
        controller.start()
        #expect(log.wait { $0.isFinished } != nil)
        let events = log.all
        #expect(events.first == .started)
        #expect(events.filter { if case .languageFinished = $0 { true } else { false } }
            == [.languageFinished(language: "en"), .languageFinished(language: "fi")])
        for language in ["en", "fi"] {
            for seed in SmallSession.seeds {
                #expect(events.contains { if case .progress(language, seed, 16, 16, _) = $0 { true } else { false } })
                #expect(FileManager.default.fileExists(atPath: SessionPaths(folder: session).fisher(language: language, seed: seed).path))
            }
        }
        #expect(completed.all.compactMap(\.notice) == ["en", "en", "fi", "fi"])
        // The sub-network's stability streams in as a Jaccard value per language.
        for language in ["en", "fi"] {
            let values = events.compactMap { event -> Double? in
                if case .stability(language, let value) = event { value } else { nil }
            }
            #expect(!values.isEmpty && values.allSatisfy { (0...1).contains($0) })
        }
        #expect(!controller.isRunning)
    }

    /// Pause stops at the next sentence with a checkpoint; start resumes and completes the session.
    @Test func pauseCheckpointsAndStartResumes() throws {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        let log = EventLog()
        let box = ControllerBox()
        let controller = ComputeController(
            request: { SmallSession.request(session, languages: ["en"], seeds: [42]) },
            post: { event in
                log.post(event)
                if case .progress(_, _, let done, _, _) = event, done > 0 { box.controller?.pause() }
            },
            runCompleted: { _, _ in })
        box.controller = controller
        controller.start()
        let paused = try #require(log.wait { $0.isPaused || $0.isFinished })
        #expect(paused.event == .paused)
        let run = try #require(try SessionStore(folder: session).load().run(language: "en", seed: 42))
        #expect(run.status == .interrupted)
        #expect(FileManager.default.fileExists(atPath: SessionPaths(folder: session).checkpoint(language: "en", seed: 42).path))

        box.controller = nil
        controller.start()
        #expect(log.wait(from: paused.index + 1) { $0.isFinished } != nil)
        #expect(try SessionStore(folder: session).load().run(language: "en", seed: 42)?.status == .done)
    }

    /// Quitting while computing waits for the checkpoint, so nothing is lost.
    @Test func shutdownWaitsForTheCheckpoint() throws {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        let log = EventLog()
        let controller = ComputeController(
            // Enough sentences that the job is still running when the first progress arrives here.
            request: { SmallSession.request(session, languages: ["de", "en"], seeds: [42], sentences: 200) }, post: log.post,
            runCompleted: { _, _ in })
        controller.start()
        _ = log.wait { $0.isProgress }
        controller.shutdown()
        #expect(!controller.isRunning)
        let manifest = try SessionStore(folder: session).load()
        #expect(manifest.runs.allSatisfy { $0.status == .done || $0.status == .interrupted })
        #expect(!log.all.contains { $0.isFinished || $0.isPaused })
    }
}

final class ControllerBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: ComputeController?
    var controller: ComputeController? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
