import Foundation
import XSNSTestSupport

/// Runs `xsns` the way a hostile file would meet it in production, but fenced in: on Linux under a
/// 1 GB address-space limit (`ulimit -v`), so anything that allocates in proportion to a size read
/// from a file dies instead of succeeding slowly, and under a deadline, so a hang is reported as a
/// hang instead of blocking the suite. Elsewhere (no `ulimit -v` on macOS) only the deadline applies.
enum CappedProcess {
    static let addressSpaceKilobytes = 1_000_000
    /// Generous: the checks take well under a second; this only bounds a hang.
    static let deadline: TimeInterval = 120

    struct Outcome {
        var status: Int32
        var stderr: String
        var timedOut: Bool
        var crashed: Bool
    }

    /// Whether this build (and so the xsns beside it) runs under AddressSanitizer (`--sanitize=address`).
    static let isAddressSanitized = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_init") != nil

    static func xsns(_ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        #if os(Linux)
        // AddressSanitizer reserves terabytes of shadow address space, which no cap allows.
        let limit = isAddressSanitized ? "" : "ulimit -v \(addressSpaceKilobytes) && "
        #else
        let limit = ""
        #endif
        // `exec` keeps one process, so a timeout's SIGTERM reaches xsns itself.
        process.arguments = ["-c", limit + "exec \"$0\" \"$@\"", XSNSBinary.url.path] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        let timedOut = finished.wait(timeout: .now() + deadline) == .timedOut
        if timedOut {
            process.terminate()
            finished.wait()
        }
        return Outcome(
            status: process.terminationStatus, stderr: String(decoding: errorData, as: UTF8.self),
            timedOut: timedOut, crashed: process.terminationReason == .uncaughtSignal)
    }
}
