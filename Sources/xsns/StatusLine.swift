import Foundation

/// Progress on stderr: on a terminal one line redrawn in place, elsewhere (logs) whole lines only.
/// Not synchronised: each reporter calls it under its own lock.
final class StatusLine {
    let interactive = isatty(STDERR_FILENO) == 1
    private var lineOpen = false

    /// A permanent line (closing the line being redrawn, if any).
    func write(_ line: String) {
        FileHandle.standardError.write(Data(((lineOpen ? "\r\u{1B}[K" : "") + line + "\n").utf8))
        lineOpen = false
    }

    /// Redraws the current line (terminal only).
    func writeInPlace(_ line: String) {
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        lineOpen = true
    }

    /// Ends a line left open by `writeInPlace`.
    func finish() {
        if lineOpen { FileHandle.standardError.write(Data("\n".utf8)) }
        lineOpen = false
    }
}
