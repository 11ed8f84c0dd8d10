import Testing
import XSNSSession
import XSNSTUI

@testable import XSNSWorkbench

/// The Languages view names runs computed elsewhere: a Slurm task running on a node, another process,
/// seeds waiting in the queue; a language this workbench computes, or done, keeps its own status.
struct RemoteRunsTests {
    static func info(_ status: LanguageInfo.Status = .pending) -> LanguageInfo {
        LanguageInfo(code: "fi", name: "Finnish", corpusSentences: 100, status: status)
    }

    @Test func runningElsewhereBeatsQueuedAndQueuedSeedsAreCounted() {
        var running = Self.info()
        SessionLanguages.mark(&running, elsewhere: [
            .init(language: "fi", seed: 1, state: .queued, sentences: 0, detail: "Slurm 46_0 PENDING"),
            .init(language: "fi", seed: 2, state: .running, sentences: 10, detail: "Slurm 46_1 RUNNING on node7"),
        ])
        #expect(running.status == .running && running.elsewhere == "seed 2 by Slurm 46_1 RUNNING on node7")

        var queued = Self.info()
        SessionLanguages.mark(&queued, elsewhere: [
            .init(language: "fi", seed: 1, state: .queued, sentences: 0, detail: "Slurm 46_0 PENDING"),
            .init(language: "fi", seed: 2, state: .queued, sentences: 0, detail: "Slurm 46_1 PENDING"),
        ])
        #expect(queued.status == .queued && queued.elsewhere == "2 seeds queued on Slurm")

        var one = Self.info()
        SessionLanguages.mark(&one, elsewhere: [.init(language: "fi", seed: 3, state: .queued, sentences: 0, detail: "Slurm 47_2 PENDING")])
        #expect(one.status == .queued && one.elsewhere == "Slurm 47_2 PENDING")

        var idle = Self.info(.paused)
        SessionLanguages.mark(&idle, elsewhere: [.init(language: "fi", seed: 1, state: .interrupted, sentences: 4, detail: nil)])
        #expect(idle.status == .paused && idle.elsewhere == nil)
    }
}
