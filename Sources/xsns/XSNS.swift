import ArgumentParser
import Foundation
import XSNSStorage
import XSNSTokenizers

@main
struct XSNS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xsns",
        abstract: "X-SNS Workbench: language sub-networks of multilingual encoders.",
        subcommands: [
            ComputeCommand.self,
            IndexCommand.self,
            TrainMLMCommand.self,
            ProbeTaskCommand.self,
            ProbeCommand.self,
            PruneHeadsCommand.self,
            HeadsCommand.self,
            InfluenceCommand.self,
            MatrixCommand.self,
            RankCommand.self,
            LayersCommand.self,
            SweepCommand.self,
            ConvergeCommand.self,
            StatusCommand.self,
            EvalCommand.self,
            ExportCommand.self,
            InspectCommand.self,
            TokenizeCommand.self,
            BenchCommand.self,
            WorkbenchCommand.self,
        ],
        defaultSubcommand: WorkbenchCommand.self)

    /// Maps errors to the exit-status contract, always with one clear line on stderr:
    /// 0 success (and --help), 2 bad usage or input, 1 runtime failure.
    static func main() {
        let status: Int32
        do {
            var command = try parseAsRoot()
            try command.run()
            return
        } catch let error as InputError {
            status = report("xsns: \(error)", 2)
        } catch let error as RuntimeFailure {
            status = report("xsns: \(error)", 1)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                status = 0
            } else if code == .validationFailure {
                status = report(fullMessage(for: error), 2)
            } else {
                status = report("xsns: \(fullMessage(for: error))", code.rawValue == 0 ? 1 : code.rawValue)
            }
        }
        Foundation.exit(status)
    }
}

private func report(_ message: String, _ status: Int32) -> Int32 {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    return status
}
