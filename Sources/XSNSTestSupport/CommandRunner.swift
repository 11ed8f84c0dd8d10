import Foundation

/// What a finished child process left behind.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs the `xsns` executable that `swift test` built beside the test bundle.
public enum XSNSBinary {
    public static var url: URL {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        // On Linux the test runner sits directly in the products folder; elsewhere inside a bundle.
        for _ in 0..<4 where !FileManager.default.fileExists(atPath: directory.appendingPathComponent("xsns").path) {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("xsns")
    }

    /// Starts `xsns` without waiting, its stderr going to `log` (for tests that signal or kill it).
    public static func launch(_ arguments: [String], stderrTo log: URL, environment: [String: String] = [:]) throws -> Process {
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        return process
    }

    public static func run(
        _ arguments: [String], stdin: String? = nil, in directory: URL? = nil,
        environment: [String: String] = [:]
    ) throws -> CommandResult {
        try runProcess(url, arguments, stdin: stdin, in: directory, environment: environment)
    }
}

/// Runs a program to completion, capturing both streams (drained concurrently so a chatty child
/// never blocks on a full pipe).
public func runProcess(
    _ executable: URL, _ arguments: [String], stdin: String? = nil, in directory: URL? = nil,
    environment: [String: String] = [:]
) throws -> CommandResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let output = Pipe()
    let errors = Pipe()
    let input = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = input
    try process.run()
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data()
    nonisolated(unsafe) var errData = Data()
    DispatchQueue.global().async(group: group) { outData = output.fileHandleForReading.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) { errData = errors.fileHandleForReading.readDataToEndOfFile() }
    // A hung child fails its test instead of running the suite into CI's time limit.
    nonisolated(unsafe) var killed = false
    let pid = process.processIdentifier
    let watchdog = DispatchWorkItem { killed = true; kill(pid, SIGKILL) }
    DispatchQueue.global().asyncAfter(deadline: .now() + commandTimeLimit, execute: watchdog)
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    watchdog.cancel()
    group.wait()
    return CommandResult(
        status: process.terminationStatus,
        stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self) + (killed ? "\n[killed: still running after \(Int(commandTimeLimit)) s]" : ""))
}

/// Seconds a command run by a test may take before it is killed.
let commandTimeLimit: TimeInterval = 300

/// Runs a program that leaves daemons behind (a tmux server, a Slurm cluster) to completion; returns its
/// wait status. Daemons keep open every descriptor they inherit, and Foundation's `Process` learns of its
/// child's exit through such a descriptor (other tests' pipes may be open too), so `Process` would wait
/// forever: this uses posix_spawn with every descriptor above stderr closed, stdin from /dev/null, stdout
/// and stderr to `output` (or /dev/null), and waitpid. Returns the exit status (128 + N for signal N).
public func runDetached(_ executable: URL, _ arguments: [String], output: URL? = nil) throws -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    let outputPath = output?.path ?? "/dev/null"
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    #if os(Linux)
    // glibc ≥ 2.34 has it, but its header hides it from Swift: look it up at run time.
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
        throw DetachedSpawnFailed(description: "this C library cannot close inherited descriptors")
    }
    _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3)
    #else
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_CLOEXEC_DEFAULT))
    #endif
    let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable.path, &actions, &attributes, argv, environ)
    guard spawned == 0 else {
        throw DetachedSpawnFailed(description: "cannot start \(executable.path): \(String(cString: strerror(spawned)))")
    }
    var status: Int32 = -1
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let signal = status & 0x7f
    return signal == 0 ? (status >> 8) & 0xff : 128 + signal
}

public struct DetachedSpawnFailed: Error, CustomStringConvertible {
    public var description: String
}

/// A detached tmux session for driving the TUI as a person would (`send-keys`, `capture-pane`).
public final class TmuxSession {
    public let name: String
    private static let tmux = ["/usr/bin/tmux", "/usr/local/bin/tmux"]
        .map(URL.init(fileURLWithPath:))
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }

    public static var isAvailable: Bool { tmux != nil }

    /// Starts `command` (one shell string) in a `width`×`height` pane.
    public init(command: String, width: Int = 100, height: Int = 30, in directory: URL? = nil) throws {
        name = "xsns-test-\(UUID().uuidString.prefix(8))"
        var arguments = ["new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)"]
        if let directory { arguments += ["-c", directory.path] }
        arguments.append(command)
        try Self.spawnDetached(arguments)
        try tmux(["set-option", "-t", name, "remain-on-exit", "on"])
    }

    /// `new-session` starts the tmux server when none runs, and the server keeps every descriptor it
    /// inherits: started with `runDetached`, not `Process`.
    private static func spawnDetached(_ arguments: [String]) throws {
        guard let tmux = Self.tmux else { throw TmuxUnavailable() }
        let status = try runDetached(tmux, arguments)
        guard status == 0 else { throw TmuxFailed(arguments: arguments, stderr: "tmux failed (exit status \(status))") }
    }

    deinit { _ = try? tmux(["kill-session", "-t", name]) }

    /// Keys in tmux notation (`"q"`, `"Tab"`, `"C-l"`, `"Enter"`).
    public func send(_ keys: String...) throws {
        try tmux(["send-keys", "-t", name] + keys)
    }

    public func capture() throws -> String {
        try tmux(["capture-pane", "-p", "-t", name]).stdout
    }

    /// Polls the pane until `predicate` holds; returns the last capture either way.
    @discardableResult
    public func waitFor(timeout: TimeInterval = 20, _ predicate: (String) -> Bool) throws -> (Bool, String) {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = try capture()
        while !predicate(screen) {
            if Date() > deadline { return (false, screen) }
            Thread.sleep(forTimeInterval: 0.1)
            screen = try capture()
        }
        return (true, screen)
    }

    /// Whether the program in the pane has exited (tmux keeps the dead pane: remain-on-exit).
    public func paneIsDead() throws -> Bool {
        try tmux(["display-message", "-p", "-t", name, "#{pane_dead}"]).stdout.hasPrefix("1")
    }

    @discardableResult
    private func tmux(_ arguments: [String]) throws -> CommandResult {
        guard let tmux = Self.tmux else { throw TmuxUnavailable() }
        let result = try runProcess(tmux, arguments)
        guard result.status == 0 else { throw TmuxFailed(arguments: arguments, stderr: result.stderr) }
        return result
    }

    public struct TmuxUnavailable: Error {}
    public struct TmuxFailed: Error, CustomStringConvertible {
        public var arguments: [String]
        public var stderr: String
        public var description: String { "tmux \(arguments.joined(separator: " ")): \(stderr)" }
    }
}
