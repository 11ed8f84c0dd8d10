#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import XSNSStorage

/// Who holds a claim.
public struct ClaimOwner: Codable, Equatable, Sendable, CustomStringConvertible {
    public var pid: Int32
    public var host: String
    /// When the claim was taken (ISO 8601 UTC).
    public var started: String
    /// The Slurm job (`JOBID` or `JOBID_TASK` of an array) the holder runs in, if any.
    public var job: String?
    /// The heartbeat time-to-live the holder runs with: others judge its claim by the larger of theirs
    /// and this, so a contender started with a shorter TTL cannot steal a live claim.
    public var ttl: Double?

    public init(pid: Int32, host: String, started: String, job: String? = nil, ttl: Double? = nil) {
        self.pid = pid
        self.host = host
        self.started = started
        self.job = job
        self.ttl = ttl
    }

    /// This machine as claims name it: `XSNS_HOST` when set (tests stand in for other nodes with it), else
    /// the host name.
    public static var localHost: String {
        ProcessInfo.processInfo.environment["XSNS_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? ProcessInfo.processInfo.hostName
    }

    /// This process's Slurm job, `JOBID_TASK` for an array task (nil outside Slurm).
    public static var currentJob: String? {
        let environment = ProcessInfo.processInfo.environment
        return environment["SLURM_ARRAY_JOB_ID"].map { "\($0)_\(environment["SLURM_ARRAY_TASK_ID"] ?? "")" }
            ?? environment["SLURM_JOB_ID"]
    }

    public static func current() -> ClaimOwner {
        ClaimOwner(pid: getpid(), host: localHost, started: Timestamp.string(), job: currentJob, ttl: RunClaim.timeToLive)
    }

    public var description: String { "pid \(pid) on \(host)" + (job.map { " (Slurm job \($0))" } ?? "") + " since \(started)" }
}

/// A second process asked for a (language, seed) that another one is computing.
public struct ClaimHeld: Error, CustomStringConvertible, Sendable {
    public let language: String
    public let seed: Int
    /// nil when the holder has not written its name yet (it is starting this very moment).
    public let holder: ClaimOwner?
    public let file: String

    public var description: String {
        let who = holder.map { "by \($0)" } ?? "by another process"
        return "\(language) seed \(seed) is already being computed \(who) (claim \(file))"
    }
}

/// This process's claim was taken over (it stalled past the TTL): what it computed must not be published.
public struct ClaimLost: Error, CustomStringConvertible, Sendable {
    public let language: String
    public let seed: Int
    public var description: String {
        "\(language) seed \(seed): the claim was taken over by another process (no heartbeat for \(Int(RunClaim.timeToLive)) s); "
            + "this run's results are not published"
    }
}

/// Exclusive right to compute one (language, seed) of a session, safe across the nodes of a cluster
/// without `flock` (NFS without a lock daemon, Lustre `localflock`): a lease.
///
/// The pair's folder `claims/<lang>.seed<k>/` holds numbered claim files `<g>.claim`; the highest number is
/// the current claim. Taking one writes the holder's name (host, pid, Slurm job) to a private file and hard-links
/// it to `<g+1>.claim` (atomic on NFS and Lustre, and the claim is never seen without its name), so of two
/// contenders exactly one wins; the holder touches it every TTL/5 as a heartbeat. A claim is stale, and taken over by the next number,
/// when it was released, when its heartbeat is older than the TTL (`XSNS_CLAIM_TTL` seconds, default
/// 300), or when its holder ran on this host and is gone. A holder whose claim was taken over (it stalled
/// longer than the TTL) notices a higher number and must not publish: `confirmHeld()`.
public final class RunClaim: @unchecked Sendable {
    public let language: String
    public let seed: Int
    public let owner: ClaimOwner
    /// The holder of a stale claim (not a released one) that this claim replaced.
    public let takenOverFrom: ClaimOwner?

    let folder: URL
    let generation: Int
    private let descriptor: Int32
    private let mutex = NSLock()
    private var released = false
    private var lost = false
    private var heartbeat: DispatchSourceTimer?

    /// Seconds without a heartbeat after which a claim is stale (`XSNS_CLAIM_TTL`; anything but a positive
    /// number means the default, 300).
    public static var timeToLive: Double {
        guard let value = ProcessInfo.processInfo.environment["XSNS_CLAIM_TTL"].flatMap(Double.init), value.isFinite, value > 0
        else { return 300 }
        return max(value, 0.5)
    }

    init(folder: URL, language: String, seed: Int) throws {
        self.language = language
        self.seed = seed
        self.folder = folder
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw RuntimeFailure("cannot create \(folder.path): \(error.localizedDescription)")
        }
        owner = ClaimOwner.current()
        guard var data = try? JSONEncoder().encode(owner) else { preconditionFailure("a claim owner always encodes") }
        data.append(UInt8(ascii: "\n"))
        var attempt = 0
        while true {
            let current = ClaimFiles.latest(in: folder)
            if let current, let state = ClaimFiles.state(of: current), state.isLive {
                throw ClaimHeld(language: language, seed: seed, holder: state.owner, file: current.url.path)
            }
            let next = (current?.generation ?? 0) + 1
            guard try ClaimFiles.create(ClaimFiles.url(folder, next), holding: data, owner: owner) else {
                // Another contender created it first: it holds the claim (read again to name it).
                attempt += 1
                guard attempt < 3 else { throw ClaimHeld(language: language, seed: seed, holder: nil, file: ClaimFiles.url(folder, next).path) }
                continue
            }
            generation = next
            takenOverFrom = current.flatMap { ClaimFiles.state(of: $0) }.flatMap { $0.released ? nil : $0.owner }
            break
        }
        let url = ClaimFiles.url(folder, generation)
        descriptor = open(url.path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: url)
            throw RuntimeFailure("cannot open the claim file \(url.path): \(reason)")
        }
        // A listing that lagged (NFS attribute caches) may have hidden a newer claim: defer to it.
        if let newest = ClaimFiles.latest(in: folder), newest.generation > generation {
            close(descriptor)
            try? FileManager.default.removeItem(at: ClaimFiles.url(folder, generation))
            throw ClaimHeld(language: language, seed: seed, holder: ClaimFiles.state(of: newest)?.owner, file: newest.url.path)
        }
        ClaimFiles.removeOlder(than: generation, in: folder)
        startHeartbeat()
    }

    /// Whether the heartbeat found the claim taken over (cheap: no file access; `confirmHeld` looks).
    public var isLost: Bool { mutex.withLock { lost } }

    deinit { release() }

    /// Throws when another process took the claim over (this one stalled past the TTL): its results
    /// must not be published.
    public func confirmHeld() throws {
        let taken = mutex.withLock { lost } || (ClaimFiles.latest(in: folder)?.generation ?? generation) > generation
        if taken {
            mutex.withLock { lost = true }
            throw ClaimLost(language: language, seed: seed)
        }
    }

    /// Gives the claim up: the file is emptied and dated 1970, so the next claim replaces it at once.
    public func release() {
        mutex.lock()
        defer { mutex.unlock() }
        guard !released else { return }
        released = true
        heartbeat?.cancel()
        heartbeat = nil
        if !lost && (ClaimFiles.latest(in: folder)?.generation ?? generation) == generation {
            _ = ftruncate(descriptor, 0)
            var epoch = [timespec(tv_sec: 0, tv_nsec: 0), timespec(tv_sec: 0, tv_nsec: 0)]
            _ = futimens(descriptor, &epoch)
        }
        close(descriptor)
    }

    private func startHeartbeat() {
        let interval = min(max(Self.timeToLive / 5, 0.1), 60)
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            self.mutex.withLock {
                guard !self.released, !self.lost else { return }
                if (ClaimFiles.latest(in: self.folder)?.generation ?? self.generation) > self.generation {
                    self.lost = true
                } else {
                    _ = futimens(self.descriptor, nil)
                }
            }
        }
        heartbeat = timer
        timer.resume()
    }

    /// Who holds the claim of the pair folder `folder` and whether that holder is alive (heartbeat within
    /// the TTL and, on this host, its process running). nil when there is no claim or it was released.
    public static func recordedHolder(_ folder: URL) -> (owner: ClaimOwner, alive: Bool)? {
        guard let latest = ClaimFiles.latest(in: folder), let state = ClaimFiles.state(of: latest),
              !state.released, let owner = state.owner else { return nil }
        return (owner, state.isLive)
    }
}
