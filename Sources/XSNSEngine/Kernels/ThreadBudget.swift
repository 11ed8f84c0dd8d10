import Foundation

/// How many threads a run should use when the user does not say: every core this process may use.
/// `OMP_NUM_THREADS` (the variable HPC users and schedulers set) wins; otherwise the CPUs the process
/// may run on (its affinity mask: `taskset`, cpusets of Slurm and containers) capped by a CPU quota
/// (cgroup v2's `cpu.max` of the process's own cgroup, or cgroup v1's CFS quota). At most 256.
public enum ThreadBudget {
    public static let maximum = 256

    public static var available: Int {
        let environment = ProcessInfo.processInfo.environment
        let cpuMax = ownCgroupCpuMax() ?? cgroupV1Quota()
        return available(ompThreads: environment["OMP_NUM_THREADS"], cpuMax: cpuMax, cores: allowedCPUs())
    }

    /// `cpuMax` in cgroup v2 form: "QUOTA PERIOD" in microseconds, or "max PERIOD" without a limit.
    static func available(ompThreads: String?, cpuMax: String?, cores: Int) -> Int {
        if let omp = ompThreads.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }), omp > 0 {
            return min(omp, maximum)
        }
        var budget = max(1, cores)
        let fields = (cpuMax ?? "").split(whereSeparator: \.isWhitespace)
        if fields.count == 2, let quota = Double(fields[0]), let period = Double(fields[1]), quota > 0, period > 0 {
            budget = min(budget, max(1, Int((quota / period).rounded(.up))))
        }
        return min(budget, maximum)
    }

    /// The CPUs in this process's affinity mask (`Cpus_allowed_list` of /proc/self/status on Linux), else
    /// the active processor count.
    private static func allowedCPUs() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }
        return line.flatMap { cpuCount(list: String($0.dropFirst("Cpus_allowed_list:".count))) }
            ?? ProcessInfo.processInfo.activeProcessorCount
    }

    /// The number of CPUs in a kernel CPU list such as "0-3,8,10-11"; nil when it does not parse.
    static func cpuCount(list: String) -> Int? {
        var count = 0
        for part in list.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",") {
            let bounds = part.split(separator: "-").map { Int($0) }
            guard let low = bounds.first ?? nil, let high = bounds.last ?? nil, bounds.count <= 2, high >= low else {
                return nil
            }
            count += high - low + 1
        }
        return count > 0 ? count : nil
    }

    /// `cpu.max` of the cgroup v2 this process is in (from `/proc/self/cgroup`), or of the root.
    private static func ownCgroupCpuMax() -> String? {
        let line = (try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("0::") }
        var path = line.map { String($0.dropFirst(3)) } ?? "/"
        while true {
            if let text = try? String(contentsOfFile: "/sys/fs/cgroup" + (path == "/" ? "" : path) + "/cpu.max", encoding: .utf8),
               !text.hasPrefix("max") {
                return text
            }
            guard path != "/", let slash = path.lastIndex(of: "/") else { return nil }
            path = slash == path.startIndex ? "/" : String(path[..<slash])
        }
    }

    /// cgroup v1's `cfs_quota_us` and `cfs_period_us` as a cpu.max line (nil when there is no limit).
    private static func cgroupV1Quota() -> String? {
        func read(_ name: String) -> String? {
            (try? String(contentsOfFile: "/sys/fs/cgroup/cpu/\(name)", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let quota = read("cpu.cfs_quota_us"), let period = read("cpu.cfs_period_us"), quota != "-1" else { return nil }
        return "\(quota) \(period)"
    }
}
