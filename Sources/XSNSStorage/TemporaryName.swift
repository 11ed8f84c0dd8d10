#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Names of `AtomicFile`'s temp files: `.<target>.tmp-<host>-<pid>-<random>`. A process killed
/// mid-write (`kill -9`, pre-emption) leaves its temp file behind, possibly hundreds of MB of
/// Fisher values; the name says whose it was, so a later run can remove it safely even in a
/// folder shared by several machines.
public enum TemporaryName {
    /// `pid` is only ever another process's in tests that plant an abandoned file.
    public static func make(for target: String, pid: Int32 = getpid()) -> String {
        ".\(target).tmp-\(host)-\(pid)-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// The host name reduced to letters, digits and dots: safe in a file name, and free of the
    /// `-` that separates the fields after it.
    static let host: String = {
        let allowed = ProcessInfo.processInfo.hostName.unicodeScalars.filter {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == ".")
        }
        let name = String(String.UnicodeScalarView(allowed.prefix(64)))
        return name.isEmpty ? "host" : name
    }()

    /// Deletes the temp files in `folder` left by processes of this host that no longer run.
    /// Files of other hosts, or of live processes, are never touched. Returns the names removed.
    @discardableResult
    public static func removeAbandoned(in folder: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var removed: [String] = []
        for name in names {
            guard let owner = owner(of: name), owner.host == host, !isRunning(owner.pid) else { continue }
            if (try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))) != nil {
                removed.append(name)
            }
        }
        return removed
    }

    /// (host, pid) of a temp file name, nil for any other file.
    static func owner(of name: String) -> (host: String, pid: Int32)? {
        guard name.hasPrefix("."), let marker = name.range(of: ".tmp-", options: .backwards) else { return nil }
        let fields = name[marker.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count == 3, let pid = Int32(fields[1]), pid > 0, UInt32(fields[2]) != nil else { return nil }
        return (String(fields[0]), pid)
    }

    private static func isRunning(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno != ESRCH
    }
}
