import Foundation

/// How many threads a run should use when the user does not say: every core this process may use.
/// `OMP_NUM_THREADS` (the variable HPC users and schedulers set) wins; otherwise a container's or Slurm
/// job's cgroup CPU limit (`cpu.max`, or cgroup v1's CFS quota) caps the machine's core count.
public enum ThreadBudget {
    public static var available: Int {
        let environment = ProcessInfo.processInfo.environment
        let cpuMax = (try? String(contentsOfFile: "/sys/fs/cgroup/cpu.max", encoding: .utf8))
            ?? cgroupV1Quota()
        return available(ompThreads: environment["OMP_NUM_THREADS"], cpuMax: cpuMax,
                         cores: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// `cpuMax` in cgroup v2 form: "QUOTA PERIOD" in microseconds, or "max PERIOD" without a limit.
    static func available(ompThreads: String?, cpuMax: String?, cores: Int) -> Int {
        if let omp = ompThreads.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }), omp > 0 {
            return omp
        }
        var budget = max(1, cores)
        let fields = (cpuMax ?? "").split(whereSeparator: \.isWhitespace)
        if fields.count == 2, let quota = Double(fields[0]), let period = Double(fields[1]), quota > 0, period > 0 {
            budget = min(budget, max(1, Int((quota / period).rounded(.up))))
        }
        return budget
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
