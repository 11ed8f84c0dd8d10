import Foundation
import Testing
import XSNSCompute
import XSNSEngine
import XSNSProbe
import XSNSSession
import XSNSStorage
import XSNSTestSupport

/// The probe end to end on the demo model: task adapter, transfer runs, Δ tables computed from the run
/// files, runs independent of what ran before them, and a stopped probe resumed to the same results.
@Suite(.serialized) struct ProbeJobTests {
    static let demo = Fixtures.repositoryRoot.appendingPathComponent("Sources/xsns/DemoModel").path
    static let corpora = Fixtures.repositoryRoot.appendingPathComponent("Corpora").path

    static func trainedSession(treebanks: URL) throws -> URL {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        var options = ProbeTaskOptions(model: demo, treebanks: treebanks.path, languages: ["xx"])
        options.epochs = 2
        options.batchSize = 4
        options.maxLength = 64
        options.learningRate = 5e-3
        #expect(try ProbeTaskJob(options: options, session: session, threads: 1).run())
        return session
    }

    static func probeOptions(_ treebanks: URL) -> ProbeOptions {
        var options = ProbeOptions(corpora: corpora, treebanks: treebanks.path, transfer: ["en", "fi"], targets: ["de", "en"])
        options.steps = [1, 3]
        options.runs = 2
        options.learningRate = 1e-3
        return options
    }

    @Test func tablesAreTheMeanChangeOverRuns() throws {
        let treebanks = try Fixtures.probeTreebanks()
        let session = try Self.trainedSession(treebanks: treebanks)
        let paths = ProbePaths(session: session)
        let record = try ProbeTaskRecord.load(paths)
        #expect(record.validationAccuracy.count == 2 && record.trainSentences + record.validationSentences == 9)
        #expect(try ProbeJob(options: Self.probeOptions(treebanks), session: session, threads: 1).run())

        let original = try JSONDecoder().decode([String: TaggingAccuracy].self, from: Data(contentsOf: paths.original))
        let labelledWords = try CoNLLU.read(Fixtures.url("probe/tiny.conllu")).map(\.words.count).reduce(0, +)
        #expect(original["de"]!.words + original["de"]!.droppedWords == labelledWords)
        var moved = false
        for steps in [1, 3] {
            let rows = try String(contentsOf: paths.transferTable(steps: steps), encoding: .utf8)
                .split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
            #expect(rows.count == 4)
            for row in rows {
                let (source, target, score) = (String(row[0]), String(row[1]), Double(row[2])!)
                let runs = try (1...2).map {
                    try JSONDecoder().decode(ProbeRunRecord.self,
                                             from: Data(contentsOf: paths.run(transfer: source, steps: steps, run: $0)))
                }
                #expect(runs.allSatisfy { $0.losses.count == steps })
                let changes = runs.map { ($0.accuracy[target]!.accuracy - original[target]!.accuracy) * 100 }
                #expect(abs(score - changes.reduce(0, +) / 2) < 1e-9, "\(source)→\(target) N=\(steps)")
                moved = moved || runs.contains { $0.accuracy[target]!.correct != original[target]!.correct }
            }
        }
        #expect(moved, "no fine-tune changed a single prediction")
        #expect(try paths.goldTable(reference: "probe") == paths.transferTable(steps: 3))
        #expect(try paths.goldTable(reference: "probe:N1") == paths.transferTable(steps: 1))
        #expect(throws: InputError.self) { try paths.goldTable(reference: "probe:N7") }
    }

    /// A later probe asks for another target: the runs are redone for every target, so the earlier
    /// targets keep their cells (identical, as each run is reproducible) and the new one gets its own.
    @Test func addingATargetKeepsTheEarlierOnes() throws {
        let treebanks = try Fixtures.probeTreebanks()
        let session = try Self.trainedSession(treebanks: treebanks)
        var options = Self.probeOptions(treebanks)
        (options.transfer, options.targets, options.steps, options.runs) = (["fi"], ["de"], [2], 1)
        #expect(try ProbeJob(options: options, session: session, threads: 1).run())
        let paths = ProbePaths(session: session)
        let first = try JSONDecoder().decode(ProbeRunRecord.self, from: Data(contentsOf: paths.run(transfer: "fi", steps: 2, run: 1)))
        options.targets = ["en"]
        #expect(try ProbeJob(options: options, session: session, threads: 1).run())
        let second = try JSONDecoder().decode(ProbeRunRecord.self, from: Data(contentsOf: paths.run(transfer: "fi", steps: 2, run: 1)))
        #expect(Set(second.accuracy.keys) == ["de", "en"])
        #expect(second.accuracy["de"] == first.accuracy["de"])
        let rows = try String(contentsOf: paths.transferTable(steps: 2), encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(rows.map { $0.split(separator: ",")[1] } == ["de", "en"])
    }

    /// Runs belong to the task adapter they were measured with: probe-task will not replace it under
    /// them, and runs of another adapter are refused.
    @Test func runsAreTiedToTheirTaskAdapter() throws {
        let treebanks = try Fixtures.probeTreebanks()
        let session = try Self.trainedSession(treebanks: treebanks)
        var options = Self.probeOptions(treebanks)
        (options.transfer, options.steps, options.runs) = (["fi"], [1], 1)
        #expect(try ProbeJob(options: options, session: session, threads: 1).run())
        var task = ProbeTaskOptions(model: Self.demo, treebanks: treebanks.path, languages: ["xx"])
        task.epochs = 1
        #expect(throws: InputError.self) { try ProbeTaskJob(options: task, session: session, threads: 1).run() }

        // Another adapter put in place by hand: the runs are not mixed with it.
        let paths = ProbePaths(session: session)
        let other = try Self.trainedSession(treebanks: treebanks)
        var weights = try Data(contentsOf: ProbePaths(session: other).taskWeights)
        weights[weights.count - 1] ^= 1
        try weights.write(to: paths.taskWeights)
        let error = #expect(throws: InputError.self) { try ProbeJob(options: options, session: session, threads: 1).run() }
        #expect(error?.description.contains("another task adapter") == true)
    }

    /// `--record-inputs`: every step's batch (one line per sequence) and the evaluated tokens of each target.
    @Test func recordedInputsCoverEveryStepAndTarget() throws {
        let treebanks = try Fixtures.probeTreebanks()
        let session = try Self.trainedSession(treebanks: treebanks)
        var options = Self.probeOptions(treebanks)
        (options.transfer, options.steps, options.runs, options.recordInputs) = (["en"], [3], 1, true)
        options.batchSize = 4
        #expect(try ProbeJob(options: options, session: session, threads: 1).run())
        let paths = ProbePaths(session: session)
        let batches = try String(contentsOf: paths.runInputs(transfer: "en", steps: 3, run: 1), encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(batches.count == 3 * 4)
        #expect(batches.map { $0["step"] as! Int } == [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3])
        let sentences = try CoNLLU.read(Fixtures.url("probe/tiny.conllu")).count
        for target in ["de", "en"] {
            let lines = try String(contentsOf: paths.evaluationInputs(target: target), encoding: .utf8).split(separator: "\n")
            #expect(lines.count == sentences)
        }
    }

    /// Stopped after its first run and started again, a probe ends with the same run files as one that
    /// ran through — and as a probe asked for one run alone: each run starts from the original weights.
    @Test func stoppedProbeResumesToTheSameRuns() throws {
        let treebanks = try Fixtures.probeTreebanks()
        let session = try Self.trainedSession(treebanks: treebanks)
        var options = Self.probeOptions(treebanks)
        options.steps = [3]
        let stop = StopSignal()
        let stopped = try ProbeJob(options: options, session: session, threads: 1, stop: stop) { event in
            if case .runFinished = event { stop.stop() }
        }.run()
        #expect(!stopped)
        let paths = ProbePaths(session: session)
        #expect(FileManager.default.fileExists(atPath: paths.run(transfer: "en", steps: 3, run: 1).path))
        #expect(!FileManager.default.fileExists(atPath: paths.run(transfer: "en", steps: 3, run: 2).path))
        #expect(try ProbeJob(options: options, session: session, threads: 1).run())

        let alone = try Self.trainedSession(treebanks: treebanks)
        var single = options
        single.transfer = ["fi"]
        single.runs = 2
        #expect(try ProbeJob(options: single, session: alone, threads: 1).run())
        for run in 1...2 {
            let resumed = try Data(contentsOf: paths.run(transfer: "fi", steps: 3, run: run))
            let fresh = try Data(contentsOf: ProbePaths(session: alone).run(transfer: "fi", steps: 3, run: run))
            #expect(resumed == fresh, "fi N=3 r=\(run)")
        }
    }

    /// With the adapter switched off, the model computes what the base model without adapters computes.
    @Test func disabledAdaptersLeaveTheBaseModel() throws {
        let loaded = try ModelWithTokenizer(spec: Self.demo)
        let plain = EncoderModel(parameters: try EncoderParameters(checkpoint: loaded.checkpoint), threads: 1)
        let adapted = EncoderModel(parameters: try EncoderParameters(checkpoint: loaded.checkpoint, adapter: AdapterSpec()),
                                   threads: 1)
        let ids = loaded.tokenizer.encode("Der Zug fährt um sieben Uhr.").ids.map { Int32($0) }
        let count = ids.count * loaded.checkpoint.config.hiddenSize
        func lastHidden(_ model: EncoderModel) throws -> [Float] {
            var random = SeededRandom(seed: 1)
            return Array(UnsafeBufferPointer(start: try model.encode([ids], dropout: false, random: &random).lastHidden,
                                             count: count))
        }
        let base = try lastHidden(plain), on = try lastHidden(adapted)
        adapted.adaptersEnabled = false
        let off = try lastHidden(adapted)
        #expect(off == base)
        #expect(on != base)
    }
}
