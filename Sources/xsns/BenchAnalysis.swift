import ArgumentParser
import Foundation
import XSNSAnalysis
import XSNSSession
import XSNSStorage
import XSNSWorkbench

/// `xsns bench --analysis`: the analysis commands a user runs, on a session of simulated Fisher files of
/// a real shape (languages × seeds), each timed as its own process with its peak anonymous memory
/// (`RssAnon`: the mapped indexes and Fisher pages are page cache, not counted), plus the workbench's
/// data builder at launch and after `+`. The session is made once (Fisher files, then their indexes and
/// pair counts as `compute` writes them) and reused when `--session` names it again.
struct AnalysisScaleBench {
    let languages: Int
    let seeds: Int
    let hidden: Int
    let intermediate: Int
    let layers: Int
    let session: URL
    /// Fisher files as sparse files of the right size (only the indexes hold real codes): for sessions
    /// larger than the disk; only p on the index grid are then measured.
    let sparse: Bool

    struct Measurement {
        let name: String
        let seconds: Double
        let peakAnonymousBytes: Int
        var note: String
        var output = ""
    }

    var codes: [String] { (0..<languages).map { String(format: "l%02d", $0) } }
    var gold: URL { session.appendingPathComponent("bench-gold.csv") }

    var layout: TensorLayout {
        var entries: [(String, [Int])] = []
        for layer in 0..<layers {
            let prefix = "roberta.encoder.layer.\(layer)."
            for part in ["query", "key", "value"] {
                entries += [(prefix + "attention.self.\(part).weight", [hidden, hidden]), (prefix + "attention.self.\(part).bias", [hidden])]
            }
            entries += [(prefix + "attention.output.dense.weight", [hidden, hidden]), (prefix + "attention.output.dense.bias", [hidden]),
                        (prefix + "attention.output.LayerNorm.weight", [hidden]), (prefix + "attention.output.LayerNorm.bias", [hidden]),
                        (prefix + "intermediate.dense.weight", [intermediate, hidden]), (prefix + "intermediate.dense.bias", [intermediate]),
                        (prefix + "output.dense.weight", [hidden, intermediate]), (prefix + "output.dense.bias", [hidden]),
                        (prefix + "output.LayerNorm.weight", [hidden]), (prefix + "output.LayerNorm.bias", [hidden])]
        }
        return TensorLayout(entries)
    }

    /// Writes what is missing: Fisher files, their indexes, and a gold table of random scores.
    func prepare(log: (String) -> Void) throws {
        let fisherFolder = session.appendingPathComponent("fisher")
        try FileManager.default.createDirectory(at: fisherFolder, withIntermediateDirectories: true)
        let layout = layout
        let store = MaskIndexStore(session: session, notes: { _ in })
        let runs = codes.enumerated().flatMap { language in (1...seeds).map { (language.offset, language.element, $0) } }
        let pending = runs.filter { !FileManager.default.fileExists(atPath: store.url(forFisher: fisherURL($0.1, $0.2)).path) }
        log("session \(session.path): \(runs.count) runs of \(layout.totalCount) values, \(pending.count) to write")
        let sparse = sparse
        let results = ParallelMap.map(pending.count, finished: { _, done in
            FileHandle.standardError.write(Data("written \(done)/\(pending.count)\n".utf8))
        }) { job -> Result<Void, any Error> in
            Result {
                let (language, code, seed) = pending[job]
                let values = Self.fisherValues(count: layout.totalCount, language: language, seed: seed)
                let url = fisherURL(code, seed)
                let tensors = FlatTensors(layout: layout, values: values)
                if sparse { try Self.writeSparse(tensors, to: url) } else { try SafeTensorsWriter.write(tensors, metadata: [:], to: url) }
                try store.save(tensors, fisher: url)
            }
        }
        for result in results { try result.get() }
        // `compute` records each run's pair counts as it finishes; here one pass per seed does the same.
        let start = Date()
        let counted = try PairCountStore(catalog: FisherCatalog(session: session)).complete()
        if counted > 0 { log("pair counts of \(counted) runs written in \(String(format: "%.1f", Date().timeIntervalSince(start))) s") }
        var lines = ["source,target,score"]
        for (i, source) in codes.enumerated() {
            for (j, target) in codes.enumerated() where i != j {
                lines.append("\(source),\(target),\(Double((i * 7919 + j * 104_729) % 1000) / 10)")
            }
        }
        try AtomicFile.write(Data((lines.joined(separator: "\n") + "\n").utf8), to: gold)
        try recordRuns(runs.map { ($0.1, $0.2) })
    }

    /// What `compute` would leave besides the Fisher files, so that the workbench opens the session
    /// (`xsns --session S --corpora S/corpora --model <an XLM-R-base-shaped checkpoint>`): a one-line
    /// corpus per language and a manifest listing every run as done.
    func recordRuns(_ runs: [(language: String, seed: Int)]) throws {
        let corpora = session.appendingPathComponent("corpora")
        try FileManager.default.createDirectory(at: corpora, withIntermediateDirectories: true)
        var files: [String: FileFingerprint] = [:]
        for code in codes {
            let url = corpora.appendingPathComponent("\(code).txt")
            if !FileManager.default.fileExists(atPath: url.path) {
                try AtomicFile.write(Data("simulated sentence of \(code)\n".utf8), to: url)
            }
            files[code] = try FileFingerprint.of(url)
        }
        let store = try SessionStore.openOrCreate(folder: session)
        _ = try store.update { manifest in
            manifest.corpora = CorporaRecord(directory: corpora.path, files: files)
            manifest.options = ComputeOptions(sentences: 1024, seeds: Array(1...seeds), estimator: "xsns", batchSize: 4,
                                              maxLength: 512, maskProbability: 0.15, recordInputs: false, threads: 2)
            for (language, seed) in runs {
                manifest.setRun(RunRecord(language: language, seed: seed, status: .done, sentences: 1024,
                                          fisher: paths.relativeFisher(language: language, seed: seed)))
            }
        }
    }

    var paths: SessionPaths { SessionPaths(folder: session) }

    func fisherURL(_ code: String, _ seed: Int) -> URL {
        paths.fisher(language: code, seed: seed)
    }

    /// Fisher-like values: a heavy-tailed magnitude shared by every language (the structure that makes
    /// sub-networks overlap), times a language-and-seed factor; a tenth exact zeros.
    static func fisherValues(count: Int, language: Int, seed: Int) -> [Float] {
        func unit(_ x: UInt64) -> Float {
            var z = x &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Float((z ^ (z >> 31)) >> 40) * (1 / 16_777_216)
        }
        let salt = UInt64(language) &* 0x1000_0000_01B3 &+ UInt64(seed) &* 0xC2B2_AE3D_27D4_EB4F
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                let shared = unit(UInt64(index))
                let own = unit(UInt64(index) ^ salt)
                let magnitude = shared * shared
                buffer[index] = shared < 0.1 ? 0 : magnitude * magnitude * (0.2 + own * own)
            }
            initialized = count
        }
    }

    /// A valid safetensors header (F32, tensors in layout order), then a hole as long as the data.
    static func writeSparse(_ tensors: FlatTensors, to url: URL) throws {
        var fields: [String] = []
        for entry in tensors.layout.entries {
            let shape = entry.shape.map(String.init).joined(separator: ",")
            fields.append("\"\(entry.name)\":{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(entry.range.lowerBound * 4),\(entry.range.upperBound * 4)]}")
        }
        var header = Data(("{" + fields.joined(separator: ",") + "}").utf8)
        header.append(Data(repeating: UInt8(ascii: " "), count: (8 - header.count % 8) % 8))
        var prefix = Data()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { prefix.append(contentsOf: $0) }
        try AtomicFile.write(to: url) { sink in
            try sink.write(prefix + header)
            try sink.extend(by: tensors.layout.totalCount * 4)
        }
    }

    /// Runs `xsns arguments…`, sampling its `RssAnon` every 20 ms.
    static func measure(_ name: String, _ arguments: [String], note: String = "") throws -> Measurement {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        let errors = Pipe()
        process.standardError = errors
        let start = Date()
        try process.run()
        nonisolated(unsafe) var errorText = Data()
        nonisolated(unsafe) var outputText = Data()
        let drained = DispatchGroup()
        DispatchQueue.global().async(group: drained) { errorText = errors.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: drained) { outputText = output.fileHandleForReading.readDataToEndOfFile() }
        var peak = 0
        while process.isRunning {
            peak = max(peak, anonymousBytes(process.processIdentifier))
            usleep(20_000)
        }
        let seconds = Date().timeIntervalSince(start)
        drained.wait()
        guard process.terminationStatus == 0 else {
            throw RuntimeFailure("xsns \(arguments.joined(separator: " ")) failed: \(String(decoding: errorText, as: UTF8.self))")
        }
        return Measurement(name: name, seconds: seconds, peakAnonymousBytes: peak, note: note,
                           output: String(decoding: outputText, as: UTF8.self))
    }

    static func anonymousBytes(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("RssAnon:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return kilobytes * 1024
    }

    func run(log: (String) -> Void) throws -> [Measurement] {
        try prepare(log: log)
        let path = session.path
        var results = [try Self.measure("open every index (xsns index)", ["index", "--session", path])]
        results.append(try Self.measure("matrix, p on the grid (0.07)", ["matrix", "--session", path, "--p", "0.07"]))
        results.append(try Self.measure("matrix, another p on the grid (0.42)", ["matrix", "--session", path, "--p", "0.42"]))
        if !sparse {
            results.append(try Self.measure("matrix, p off the grid (0.0731)", ["matrix", "--session", path, "--p", "0.0731"],
                                            note: "reads one group's values from each Fisher file"))
        }
        results.append(try Self.measure("eval --gold, p 0.07", ["eval", "--session", path, "--p", "0.07", "--gold", gold.path]))
        results.append(try Self.measure("sweep --gold (54 p)", ["sweep", "--session", path, "--gold", gold.path]))
        let export = session.appendingPathComponent("bench-export")
        results.append(try Self.measure("export --gold", ["export", "--session", path, "--out", export.path, "--gold", gold.path]))
        var workbench = try Self.measure("workbench data builder (what the TUI runs)", ["bench", "--workbench-child", path] + (sparse ? ["--sparse-fisher"] : []))
        workbench.note = workbench.output.trimmingCharacters(in: .whitespacesAndNewlines)
        results.append(workbench)
        return results
    }

    /// The workbench's side, run in the child process: the heatmap's data at launch (every index opened,
    /// mean of every seed), then after `+`, then at a p off the grid.
    static func workbenchChild(session: URL, sparse: Bool) throws -> String {
        let builder = WorkbenchDataBuilder(session: session, corpora: session)
        var times: [String] = []
        let steps: [(String, Double)] = [("launch to heatmap", 0.15), ("+", 0.16)] + (sparse ? [] : [("p off the grid", 0.1537)])
        for (label, p) in steps {
            let start = Date()
            let data = try builder.build(planned: [], p: p, metric: .jaccard, pair: nil, gold: nil)
            guard let matrix = data.matrices[.jaccard], matrix.seeds > 0 else { throw RuntimeFailure("no heatmap at p = \(p)") }
            times.append("\(label) \(String(format: "%.2f", Date().timeIntervalSince(start))) s (\(matrix.languages.count) languages × \(matrix.seeds) seeds)")
        }
        return times.joined(separator: "; ")
    }
}

extension BenchCommand {
    func runAnalysis() throws {
        let dimensions: (hidden: Int, intermediate: Int, layers: Int)
        switch shape {
        case "xlmr-base", "mbert-base": dimensions = (768, 3072, 12)  // the same encoder θ: 85,054,464 values
        case "tiny": dimensions = (64, 256, 2)
        default: throw ValidationError("--shape must be xlmr-base, mbert-base or tiny")
        }
        guard languages >= 2, seeds >= 1 else { throw ValidationError("--analysis needs --languages ≥ 2 and --seeds ≥ 1") }
        let folder = session.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("xsns-bench-analysis-\(UUID().uuidString)")
        defer { if session == nil { try? FileManager.default.removeItem(at: folder) } }
        let bench = AnalysisScaleBench(
            languages: languages, seeds: seeds, hidden: dimensions.hidden, intermediate: dimensions.intermediate,
            layers: dimensions.layers, session: folder, sparse: sparseFisher)
        let results = try bench.run { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
        let parameters = bench.layout.totalCount
        if format == .json {
            let rows = results.map { result in
                JSONValue.object([("step", .string(result.name)), ("seconds", .number(result.seconds)),
                                  ("peak_anon_bytes", .integer(result.peakAnonymousBytes)), ("note", .string(result.note))])
            }
            print(JSONValue.object([("languages", .integer(languages)), ("seeds", .integer(seeds)),
                                    ("parameters", .integer(parameters)), ("sparse_fisher", .string(sparseFisher ? "yes" : "no")),
                                    ("bit_kernels", .string(BitKernels.name)), ("steps", .array(rows))]).rendered)
            return
        }
        print("\(languages) languages × \(seeds) seeds × \(parameters) values\(sparseFisher ? " (sparse Fisher files)" : ""), "
            + "bit kernels \(BitKernels.name):")
        for result in results {
            let memory = String(format: "%7.0f MiB", Double(result.peakAnonymousBytes) / 1_048_576)
            print("  " + result.name.padding(toLength: 46, withPad: " ", startingAt: 0)
                + String(format: "%7.2f s  peak anon %@", result.seconds, memory as NSString)
                + (result.note.isEmpty ? "" : "  (\(result.note))"))
        }
    }
}
