import Foundation
import XSNSStorage

/// Slurm's command-line tools (`sbatch`, `squeue`), run as child processes: found on PATH, their
/// output returned, a failure turned into one line naming the tool and what it said. A tool that does not
/// answer within `timeout` seconds (a hung controller) is terminated and reported, so neither `status` nor
/// the workbench hangs with it.
enum SlurmCommand {
    /// `XSNS_SLURM_TIMEOUT` seconds when set (tests), else 20.
    static var timeout: TimeInterval {
        ProcessInfo.processInfo.environment["XSNS_SLURM_TIMEOUT"].flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil } ?? 20
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        guard let executable = locate(tool) else {
            throw InputError("\(tool) is not on PATH: is this a Slurm login node? (apt: slurm-client)")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // SIGKILL, not SIGTERM: an ignored SIGTERM is inherited through exec (from a parent that traps it).
        let watchdog = DispatchWorkItem { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.timeout, execute: watchdog)
        defer { watchdog.cancel() }
        // Both streams drained before waiting, so a chatty tool cannot block on a full pipe.
        let group = DispatchGroup()
        let outData = Collected()
        DispatchQueue.global().async(group: group) { outData.data = output.fileHandleForReading.readDataToEndOfFile() }
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        if process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL {
            throw RuntimeFailure("\(tool) did not answer within \(Int(Self.timeout)) s (is slurmctld up?)")
        }
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errData, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
            throw RuntimeFailure("\(tool) failed (status \(process.terminationStatus)): \(message)")
        }
        return String(decoding: outData.data, as: UTF8.self)
    }

    static func locate(_ tool: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(tool) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}

/// A stream's bytes, filled by the thread that drains it (read after that thread is done).
private final class Collected: @unchecked Sendable {
    var data = Data()
}
