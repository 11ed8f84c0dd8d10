import Foundation
import Testing

/// Compares `actual` with `Tests/Fixtures/snapshots/<name>.txt`.
/// Set `XSNS_RECORD_SNAPSHOTS=1` to (re-)record instead of comparing.
public func expectSnapshot(
    _ actual: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    let url = Fixtures.url("snapshots/\(name).txt")
    let recording = ProcessInfo.processInfo.environment["XSNS_RECORD_SNAPSHOTS"] == "1"
    if recording {
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
        } catch {
            Issue.record("could not record snapshot \(name): \(error)", sourceLocation: sourceLocation)
        }
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        Issue.record(
            "no snapshot \(url.path); run with XSNS_RECORD_SNAPSHOTS=1 to record it",
            sourceLocation: sourceLocation)
        return
    }
    if expected != actual {
        Issue.record(
            "snapshot \(name) differs (- expected, + actual):\n\(lineDiff(expected, actual))",
            sourceLocation: sourceLocation)
    }
}

/// A minimal line diff: common prefix and suffix kept, the differing middle shown as -/+ lines.
public func lineDiff(_ expected: String, _ actual: String) -> String {
    let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let new = actual.split(separator: "\n", omittingEmptySubsequences: false)
    var prefix = 0
    while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
    var suffix = 0
    while suffix < old.count - prefix, suffix < new.count - prefix,
        old[old.count - 1 - suffix] == new[new.count - 1 - suffix]
    {
        suffix += 1
    }
    var lines: [String] = []
    if prefix > 0 { lines.append("  … \(prefix) equal line(s)") }
    for line in old[prefix..<(old.count - suffix)] { lines.append("- \(line)") }
    for line in new[prefix..<(new.count - suffix)] { lines.append("+ \(line)") }
    if suffix > 0 { lines.append("  … \(suffix) equal line(s)") }
    return lines.joined(separator: "\n")
}
