import Foundation
import Testing
import XSNSStorage

/// One fuzzed input: its files by name (one for most readers; a whole folder for a checkpoint).
typealias FuzzFiles = [String: [UInt8]]

/// A reader under test: valid seed inputs and how to read a folder holding one input.
struct FuzzTarget: Sendable, CustomTestStringConvertible {
    let name: String
    let seeds: [FuzzFiles]
    let read: @Sendable (URL) throws -> Void
    /// Whole folders cost ten single-file reads or more: the exhaustive tests cut them more sparsely.
    let isFolder: Bool

    init(_ name: String, seeds: [FuzzFiles], read: @escaping @Sendable (URL) throws -> Void) {
        self.name = name
        self.seeds = seeds
        self.read = read
        isFolder = seeds.contains { $0.count > 1 }
    }

    var testDescription: String { name }
}

/// Runs mutated inputs through a reader and checks the contract for hostile files: every input
/// either parses or throws an `InputError` that names the file in one line. A crash kills the test
/// process (a failure by itself); the input being read is always on disk at
/// `$TMPDIR/xsns-fuzz/<target>-<test>/` so that the crashing file is left behind to reproduce it.
/// Iteration `i` depends only on (`XSNS_FUZZ_SEED`, target, `i`), so any finding replays.
enum Fuzzer {
    /// `XSNS_FUZZ_ITERATIONS` raises the per-target count for long local campaigns.
    static var iterations: Int {
        ProcessInfo.processInfo.environment["XSNS_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 200
    }

    /// `XSNS_FUZZ_TARGETS=tokenizer,session` limits a long campaign to some readers.
    static func isSelected(_ target: FuzzTarget) -> Bool {
        guard let list = ProcessInfo.processInfo.environment["XSNS_FUZZ_TARGETS"] else { return true }
        return list.split(separator: ",").contains { $0 == target.name }
    }

    /// `XSNS_FUZZ_FIRST=N` starts at iteration N: with `XSNS_FUZZ_ITERATIONS=1` and
    /// `XSNS_FUZZ_TARGETS`, it replays one reported iteration.
    static var firstIteration: Int {
        ProcessInfo.processInfo.environment["XSNS_FUZZ_FIRST"].flatMap { Int($0) } ?? 0
    }

    static var baseSeed: UInt64 {
        ProcessInfo.processInfo.environment["XSNS_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5853_4E53
    }

    /// Where the input being read lives (one folder per target and test, as tests run in parallel).
    static func workFolder(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("xsns-fuzz/\(name)")
    }

    /// The deterministic generator of one iteration.
    static func random(target: String, iteration: Int) -> FuzzRandom {
        let targetHash = target.utf8.reduce(UInt64(0xCBF2_9CE4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
        var mixer = FuzzRandom(seed: baseSeed ^ targetHash ^ UInt64(iteration) << 20)
        return FuzzRandom(seed: mixer.next())
    }

    /// The input of iteration `iteration`: a seed with one of its files mutated.
    static func input(_ target: FuzzTarget, iteration: Int) -> FuzzFiles {
        var random = random(target: target.name, iteration: iteration)
        var files = random.pick(target.seeds)
        let candidates = files.keys.sorted()
        guard !candidates.isEmpty else { return files }
        let name = random.pick(candidates)
        // Splice partners: the same file of the other seeds (a single-file seed's only file otherwise).
        let donors = target.seeds.compactMap { $0[name] ?? ($0.count == 1 ? $0.first?.value : nil) }
        files[name] = InputMutator.mutate(fileName: name, files[name] ?? [], donors: donors, &random)
        return files
    }

    /// Mutation campaign: `iterations` mutated inputs.
    /// Folder targets read ten files or more per input, so they run a quarter of the iterations.
    static func campaign(_ target: FuzzTarget) throws -> FuzzReport {
        let iterations = target.isFolder ? max(1, Self.iterations / 4) : Self.iterations
        var report = FuzzReport(target: target.name)
        let folder = workFolder("\(target.name)-campaign")
        let start = Date()
        var slowest = (seconds: 0.0, iteration: firstIteration)
        for iteration in firstIteration..<(firstIteration + iterations) {
            let began = Date()
            try check(target, input(target, iteration: iteration), in: folder,
                      label: "iteration \(iteration) of seed \(baseSeed)", into: &report)
            let seconds = Date().timeIntervalSince(began)
            if seconds > slowest.seconds { slowest = (seconds, iteration) }
        }
        // For long local campaigns: how many inputs got how far, and the slowest one (a near-hang to look at).
        print("fuzz \(target.name): \(iterations) inputs, \(report.accepted) accepted, \(report.rejected) rejected, "
              + "\(report.findingCount) findings in \(Int(Date().timeIntervalSince(start))) s; slowest: iteration "
              + "\(slowest.iteration), \(String(format: "%.2f", slowest.seconds)) s")
        return report
    }

    /// Reads one input and records whether it broke the contract.
    static func check(
        _ target: FuzzTarget, _ files: FuzzFiles, in folder: URL, label: String, into report: inout FuzzReport
    ) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for stale in FileManager.default.subpaths(atPath: folder.path) ?? [] where files[stale] == nil {
            let url = folder.appendingPathComponent(stale)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                try FileManager.default.removeItem(at: url)
            }
        }
        for (name, bytes) in files {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        do {
            try target.read(folder)
            report.accepted += 1
        } catch let error as InputError {
            report.rejected += 1
            if let problem = ErrorContract.problem(with: error, folder: folder) {
                report.record(problem, label: label, files: files)
            }
        } catch {
            report.record("not an InputError: \(type(of: error)): \(error)", label: label, files: files)
        }
    }
}

/// The contract of `InputError` for a hostile file: it names the file, in one clean line.
enum ErrorContract {
    static func problem(with error: InputError, folder: URL) -> String? {
        guard let file = error.file else { return "InputError names no file: \(error.message)" }
        let root = folder.resolvingSymlinksInPath().path
        guard URL(fileURLWithPath: file).resolvingSymlinksInPath().path.hasPrefix(root) else {
            return "InputError names '\(file)', not the input under \(root): \(error.message)"
        }
        if error.description.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "InputError message is not one clean line: \(error.description.debugDescription)"
        }
        return nil
    }
}

/// What a campaign saw. Findings are grouped by the shape of their message so one bug hit a
/// thousand times is reported once, with the first input that hit it saved for replay.
struct FuzzReport {
    let target: String
    var accepted = 0
    var rejected = 0
    private(set) var findings: [String: (count: Int, example: String)] = [:]
    var findingCount: Int { findings.values.reduce(0) { $0 + $1.count } }

    init(target: String) { self.target = target }

    mutating func record(_ problem: String, label: String, files: FuzzFiles) {
        let signature = String(problem.prefix(48).map { $0.isNumber ? "#" : $0 })
        if let existing = findings[signature] {
            findings[signature] = (existing.count + 1, existing.example)
            return
        }
        let saved = FileManager.default.temporaryDirectory
            .appendingPathComponent("xsns-fuzz-findings/\(target)/\(findings.count)")
        try? FileManager.default.removeItem(at: saved)
        try? FileManager.default.createDirectory(at: saved, withIntermediateDirectories: true)
        for (name, bytes) in files {
            let url = saved.appendingPathComponent(name)
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? Data(bytes).write(to: url)
        }
        findings[signature] = (1, "\(problem) [\(label); input saved in \(saved.path)]")
    }

    /// One test issue per distinct finding.
    func expectClean(sourceLocation: SourceLocation = #_sourceLocation) {
        for (_, finding) in findings.sorted(by: { $0.key < $1.key }) {
            Issue.record(Comment(rawValue: "\(target): \(finding.count)× \(finding.example)"), sourceLocation: sourceLocation)
        }
    }
}
