import ArgumentParser
import Foundation
import XSNSStorage
import XSNSTUI
import XSNSTerminal
import XSNSWorkbench

/// `xsns` and `xsns tui`: the terminal workbench on a session (the demo when nothing is given).
struct WorkbenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "Open the terminal workbench (the default command).",
        discussion: """
            Without --model, opens the session 'demo' with the bundled demo model (a tiny model trained on the demo sentences) \
            on ./Corpora and computes at once. With --model and --corpora, computes that checkpoint \
            on those corpora. With only --session, reopens the session where it was left; press s \
            to compute runs that are missing. Press ? inside for the keys.
            """)

    @Option(help: "Session name (a folder under Sessions/) or a path containing '/'. Default: demo.")
    var session: String?
    @Option(help: "Model: a local folder or a Hugging Face hub id found in the HF cache. Default: the demo model.")
    var model: String?
    @Option(help: "Folder with one <lang>.txt per language. Default: ./Corpora for the demo.")
    var corpora: String?
    @Option(help: "Comma-separated language codes (default: every <lang>.txt in the corpora).")
    var langs: String?
    @Option(help: "Sentences sampled per language and seed (default: 200 for the demo, else 1024).")
    var sentences: Int?
    @Option(help: "Comma-separated seeds (default: 42,16,10).")
    var seeds: String?
    @Option(help: "(language, seed) runs the s key computes at once, sharing the threads (as compute --jobs).")
    var jobs = 1
    @Flag(help: "No colours (also when NO_COLOR is set).")
    var noColor = false
    @Flag(help: "ASCII characters only.")
    var ascii = false

    func run() throws {
        // Checked before anything is computed or written: a pipe or a cron job gets one clear line.
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw InputError("the workbench needs an interactive terminal (stdin and stdout); "
                + "for scripts use xsns compute, matrix, rank, layers, eval or export")
        }
        guard jobs >= 1 else { throw InputError("--jobs must be at least 1, got \(jobs)") }
        var launch = try WorkbenchLaunch.resolve(
            WorkbenchLaunch.Arguments(
                session: session, model: model, corpora: corpora, languages: parseList(langs), sentences: sentences,
                seeds: try seeds.map(parseSeeds)),
            demoModel: Bundle.module.url(forResource: "DemoModel", withExtension: nil),
            directory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        launch.jobs = jobs
        let events = EventQueue()
        let shell = WorkbenchShell(launch: launch, post: events.post)
        var state = try shell.initialState()
        if launch.isDemo {
            state.message = "Demo model: tiny, trained on the demo sentences only; it shows the tool, not real encoders. "
                + "For a real checkpoint: xsns --model SPEC --corpora DIR (SPEC: a folder or a HF hub id)"
        }
        if launch.startAtOnce && shell.hasMissingRuns { shell.handle(.startCompute) }
        shell.refresh()

        let noColorEnvironment = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        let result: (exit: TerminalApp.Exit, state: WorkbenchState)
        do {
            result = try TerminalApp.run(
                initialState: state, options: .init(noColor: noColor || noColorEnvironment, ascii: ascii),
                events: events, handleCommand: shell.handle, observe: shell.observe)
        } catch {
            shell.shutdown()
            throw InputError("\(error)")
        }
        shell.shutdown(finalState: result.state)
        let reopen = "xsns --session \(Self.quoted(launch.sessionName))"
        switch result.exit {
        case .quit:
            let resumes = launch.isDemo ? "; the computation resumes there" : "; press s there to finish the computation"
            let more = shell.hasMissingRuns ? resumes : ""
            print("Session saved in \(launch.session.path). Reopen it with: \(reopen)\(more)")
        case .signal(let number):
            // The conventional status of a process ended by a signal, after saying how to go on.
            FileHandle.standardError.write(Data(
                "xsns: stopped by signal \(number); progress is saved in \(launch.session.path). Resume with: \(reopen)\n".utf8))
            Foundation.exit(128 + number)
        }
    }

    private static func quoted(_ text: String) -> String {
        text.allSatisfy { $0.isLetter || $0.isNumber || "-_./".contains($0) } ? text : "'\(text)'"
    }
}
