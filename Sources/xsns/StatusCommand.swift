import ArgumentParser
import Foundation
import XSNSAnalysis
import XSNSCluster
import XSNSSession
import XSNSStorage

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Each planned (language, seed) of a session: pending, queued (Slurm), running, interrupted, done or failed.",
        discussion: """
            Read from the session's files without taking any lock, so it is safe beside a running compute. \
            --wait polls every 2 s until nothing runs, then exits 0 when every run is done and 1 otherwise.
            """)

    @Option(help: "Session folder under Sessions/, or a path containing '/'.") var session: String
    @Flag(help: "Wait until no run is running; exit 0 only when every run is done.") var wait = false
    @Option(help: "table | json") var format: OutputFormat = .table

    func run() throws {
        let store = try SessionStore.open(folder: SessionStore.folder(forName: session))
        func read() throws -> SessionStatus {
            let (status, problem) = try SessionStatus.withQueue(store: store)
            if let problem { FileHandle.standardError.write(Data("xsns: \(problem)\n".utf8)) }
            return status
        }
        var status = try read()
        while wait && status.isRunning {
            Thread.sleep(forTimeInterval: 2)
            // A busy controller may time out: keep the last answer and ask again, rather than stop waiting.
            do {
                status = try read()
            } catch {
                FileHandle.standardError.write(Data("xsns: \(error); asking again\n".utf8))
            }
        }
        print(Self.render(status, format: format), terminator: "")
        if wait && !status.isFinished {
            let open = status.runs.filter { $0.state != .done }
            throw RuntimeFailure("\(open.count) of \(status.runs.count) run(s) are not done: "
                                 + Set(open.map(\.state.rawValue)).sorted().joined(separator: ", "))
        }
    }

    static func render(_ status: SessionStatus, format: OutputFormat) -> String {
        switch format {
        case .json:
            return JSONValue.array(status.runs.map { run in
                .object([("language", .string(run.language)), ("seed", .integer(run.seed)),
                         ("state", .string(run.state.rawValue)), ("sentences", .integer(run.sentences)),
                         ("detail", run.detail.map { .string($0) } ?? .null)])
            }).rendered + "\n"
        case .csv, .table:
            let rows = [["language", "seed", "state", "sentences", "detail"]] + status.runs.map {
                [$0.language, String($0.seed), $0.state.rawValue, String($0.sentences), $0.detail ?? ""]
            }
            return format == .csv ? TextTable.csv(rows) : TextTable.render(rows)
        }
    }
}
