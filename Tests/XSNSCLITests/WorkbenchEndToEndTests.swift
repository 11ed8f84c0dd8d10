import Foundation
import Testing
import XSNSTestSupport

/// Drives the real `xsns` binary in a tmux pane as a person would: the demo computes, results
/// appear, the cursor moves, p changes, help opens and closes, q quits, and the terminal is left
/// in its normal mode. Skipped only where tmux is missing outside CI.
@Suite(.serialized) struct WorkbenchEndToEndTests {
    /// Runs `xsns ARGS` in a 100×30 pane from the repository root (so ./Corpora is found); the
    /// shell then records the exit status and the terminal modes left behind.
    struct Run {
        let folder: URL
        let tmux: TmuxSession
        var session: URL { folder.appendingPathComponent("session") }

        init(_ arguments: String) throws {
            folder = try Fixtures.temporaryDirectory("xsns-e2e")
            // Ctrl-C reaches the whole foreground group: the wrapper shell survives it (`trap :`,
            // reset to the default for xsns at exec) to record what xsns left behind.
            let command = "trap : INT; \(XSNSBinary.url.path) --session \(folder.path)/session \(arguments); status=$?; "
                + "stty -a > \(folder.path)/stty.txt; echo $status > \(folder.path)/status"
            tmux = try TmuxSession(command: "sh -c '\(command)'", width: 100, height: 30, in: Fixtures.repositoryRoot)
        }

        func expectScreen(_ what: String, _ predicate: (String) -> Bool, sourceLocation: SourceLocation = #_sourceLocation)
            throws
        {
            let (found, screen) = try tmux.waitFor(timeout: 60, predicate)
            #expect(found, "\(what); the screen was:\n\(screen)", sourceLocation: sourceLocation)
        }

        /// The exit status and terminal modes once the program has ended.
        func ended() throws -> (status: Int32?, stty: String) {
            _ = try tmux.waitFor(timeout: 30) { _ in
                FileManager.default.fileExists(atPath: folder.appendingPathComponent("status").path)
            }
            let status = try? String(contentsOf: folder.appendingPathComponent("status"), encoding: .utf8)
            let stty = (try? String(contentsOf: folder.appendingPathComponent("stty.txt"), encoding: .utf8)) ?? ""
            return (status.flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }, stty)
        }
    }

    static var canRun: Bool {
        if TmuxSession.isAvailable { return true }
        if ProcessInfo.processInfo.environment["CI"] != nil {
            Issue.record("tmux is required for the end-to-end test in CI")
        }
        return false
    }

    /// Canonical mode and echo back on: the words appear without a leading '-'.
    static func isRestored(_ stty: String) -> Bool {
        let words = stty.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" }).map(String.init)
        return words.contains("icanon") && words.contains("echo")
    }

    @Test func theDemoComputesAndTheKeysWork() throws {
        guard Self.canRun else { return }
        let run = try Run("--no-color")
        try run.expectScreen("the demo note and the computation") { $0.contains("DEMO MODEL") && $0.contains("Languages (12)") }
        try run.expectScreen("every language finished") { $0.contains("finished 12/12") }

        try run.tmux.send("2")
        try run.expectScreen("the heatmap with the value under the cursor") { $0.contains("jaccard = ") && $0.contains("ar × de") }
        try run.tmux.send("j", "l")
        try run.expectScreen("the cursor on de × en") { $0.contains("de × en") }
        try run.tmux.send("+")
        try run.expectScreen("the matrix recomputed at p = 0.16") { $0.contains("p=0.16 ·") && !$0.contains("recomputing") }
        try run.tmux.send("?")
        try run.expectScreen("the help overlay") { $0.contains("Help") && $0.contains("filter languages") }
        try run.tmux.send("Escape")
        try run.expectScreen("help closed") { !$0.contains("filter languages") }
        try run.tmux.send("q")
        // Quitting asks only while computing; the answer is harmless otherwise.
        if try run.tmux.capture().contains("Quit") { try run.tmux.send("y") }

        let (status, stty) = try run.ended()
        #expect(status == 0)
        #expect(Self.isRestored(stty), "terminal modes after exit: \(stty)")
        let fisher = try FileManager.default.contentsOfDirectory(atPath: run.session.appendingPathComponent("fisher").path)
        #expect(fisher.filter { $0.hasSuffix(".safetensors") }.count == 12 * 3)
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: run.session.appendingPathComponent("tui.json")))
        let view = try #require(saved as? [String: Any])
        #expect(view["view"] as? String == "heatmap")
        #expect(view["p"] as? Double == 0.16)
        #expect(view["selected"] as? String == "de")
        #expect(view["partner"] as? String == "en")
    }

    /// Ctrl-C while computing: the run checkpoints, the terminal is restored, the resume hint is
    /// printed and the status is 128 + SIGINT.
    @Test func interruptSavesRestoresAndSaysHowToResume() throws {
        guard Self.canRun else { return }
        let run = try Run("--no-color")
        try run.expectScreen("the computation running") { $0.contains("running") }
        try run.tmux.send("C-c")
        let (status, stty) = try run.ended()
        #expect(status == 130)
        #expect(Self.isRestored(stty), "terminal modes after exit: \(stty)")
        try run.expectScreen("how to resume") { $0.contains("Resume with: xsns --session") }
        #expect(FileManager.default.fileExists(atPath: run.session.appendingPathComponent("tui.json").path))
    }

    @Test func withoutATerminalItSaysSoAndExitsWithTwo() throws {
        let folder = try Fixtures.temporaryDirectory("xsns-e2e")
        let result = try XSNSBinary.run(["--session", folder.appendingPathComponent("s").path], in: Fixtures.repositoryRoot)
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("interactive terminal"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("s").path))
    }
}
