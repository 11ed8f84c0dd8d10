import Foundation
import Testing
import XSNSAnalysis
import XSNSEngine
import XSNSSession
import XSNSStorage
import XSNSTestSupport

@testable import XSNSCompute

/// Runs the real pipeline on the bundled demo model and corpora.
@Suite struct ComputeJobTests {
    static let demoModel = Fixtures.repositoryRoot.appendingPathComponent("Sources/xsns/DemoModel").path
    static let corpora = Fixtures.repositoryRoot.appendingPathComponent("Corpora")

    func request(_ session: URL, estimator: String = "xsns", sentences: Int = 24, seeds: [Int] = [42],
                 languages: [String] = ["en", "fi"], record: Bool = true) -> ComputeRequest {
        ComputeRequest(
            session: session, modelSpec: Self.demoModel, corpora: Self.corpora, languages: languages,
            options: ComputeOptions(
                sentences: sentences, seeds: seeds, estimator: estimator, batchSize: 4, maxLength: 128,
                maskProbability: 0.15, recordInputs: record, threads: 1))
    }

    @Test(arguments: ["xsns", "exact"])
    func writesFisherHeadsBaselinesAndManifest(estimator: String) throws {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        let summary = try ComputeJob(request(session, estimator: estimator, seeds: [42, 16])).run()
        #expect(summary.runs.map(\.outcome) == Array(repeating: .computed, count: 4))

        let store = SessionStore(folder: session)
        let manifest = try store.load()
        let config = try EncoderConfig(contentsOf: URL(fileURLWithPath: Self.demoModel + "/config.json"))
        let theta = EncoderParameters.thetaLayout(config: config)
        for language in ["en", "fi"] {
            for seed in [42, 16] {
                let run = try #require(manifest.run(language: language, seed: seed))
                #expect(run.status == .done)
                #expect(run.sentences == 24)
                #expect(run.stability.map { $0 > 0 && $0 <= 1 } == true)
                let fisher = try SafeTensorsFile(url: store.paths.fisher(language: language, seed: seed))
                #expect(fisher.tensors.map(\.name) == theta.entries.map(\.name))
                #expect(fisher.metadata["sentences"] == "24")
                #expect(fisher.metadata["estimator"] == estimator)
                #expect(fisher.metadata["masked_tokens"] == "\(run.maskedTokens)")
                let values = try fisher.tensors.flatMap { try fisher.floats($0.name) }
                #expect(values.allSatisfy { $0.isFinite && $0 >= 0 })
                #expect(values.contains { $0 > 0 })
                let heads = try SafeTensorsFile(url: store.paths.headImportance(language: language, seed: seed))
                #expect(heads.tensors.first?.shape == [config.numLayers, config.numHeads])
                let embedding = try SafeTensorsFile(url: store.paths.embedding(language: language, seed: seed))
                #expect(embedding.tensors.first?.shape == [config.hiddenSize])
                let lines = try String(contentsOf: store.paths.inputs(language: language, seed: seed), encoding: .utf8)
                    .split(separator: "\n")
                #expect(lines.count == 24)
                #expect(lines.allSatisfy { $0.hasPrefix("{\"input_ids\":[0,") && $0.contains("\"labels\":[-100,") })
                #expect(lines.allSatisfy { $0.contains("\"batch\":") } == (estimator == "xsns"))
            }
            let lex = try LexicalCounts.load(store.paths.lexicalCounts(language: language))
            #expect(lex.lines == (try Corpus.load(Self.corpora.appendingPathComponent("\(language).txt"))).lines.count)
            #expect(lex.counts.reduce(0) { $0 + $1[1] } == lex.tokens)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: session.appendingPathComponent("checkpoints").path).isEmpty)

        let again = try ComputeJob(request(session, estimator: estimator, seeds: [42, 16])).run()
        #expect(again.runs.map(\.outcome) == Array(repeating: .alreadyDone, count: 4))
    }

    @Test func reportsSubnetworkStabilityAtDoublingSentenceCounts() throws {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        let seen = EventLog()
        _ = try ComputeJob(request(session, sentences: 40, languages: ["en"], record: false)) { seen.append($0) }.run()
        let measures = seen.events.compactMap { event -> (Int, Double)? in
            if case .stability(_, _, let sentences, let value) = event { return (sentences, value) }
            return nil
        }
        #expect(measures.map(\.0) == [16, 32, 40])
        #expect(measures.allSatisfy { $0.1 > 0 && $0.1 <= 1 })
    }

    @Test func aSessionKeepsOneSettingOfTheFisherOptions() throws {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        _ = try ComputeJob(request(session, languages: ["en"])).run()
        #expect(throws: InputError.self) { try ComputeJob(request(session, sentences: 30, languages: ["fi"])).run() }
        // Another language and another seed with the same settings join the session.
        let more = try ComputeJob(request(session, seeds: [42, 7], languages: ["fi"])).run()
        #expect(more.runs.map(\.outcome) == [.computed, .computed])
        #expect(try SessionStore(folder: session).load().options?.seeds == [42, 7])
    }

    /// Runs `request` and stops it at its `stopAfter`-th progress event, leaving a checkpoint.
    func interrupt(_ request: ComputeRequest, after stopAfter: Int) throws {
        let stop = StopSignal()
        let counter = EventCounter()
        let job = ComputeJob(request, stop: stop) {
            if case .progress = $0, counter.increment() >= stopAfter { stop.stop() }
        }
        job.checkpointSentences = 2
        job.progressInterval = 0
        #expect(try job.run().wasInterrupted)
    }

    @Test func anInterruptedSessionTakesNewSettingsAndStartsAfresh() throws {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        try interrupt(request(session, estimator: "xsns", languages: ["en"], record: false), after: 5)
        // Other estimator, other sentence count, now recording inputs: no stale checkpoint may be resumed.
        let summary = try ComputeJob(request(session, estimator: "exact", sentences: 10, languages: ["en"])).run()
        #expect(summary.runs.map(\.outcome) == [.computed])
        let store = SessionStore(folder: session)
        #expect(try store.load().options?.estimator == "exact")
        #expect(try store.load().options?.sentences == 10)
        let lines = try String(contentsOf: store.paths.inputs(language: "en", seed: 42), encoding: .utf8)
        #expect(lines.split(separator: "\n").count == 10)
        #expect(try SafeTensorsFile(url: store.paths.fisher(language: "en", seed: 42)).metadata["estimator"] == "exact")
    }

    @Test func aRunningSessionRefusesOtherSettings() throws {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        try interrupt(request(session, languages: ["en"]), after: 3)
        let store = SessionStore(folder: session)
        try store.update { manifest in  // as a process killed with -9 leaves it
            var run = try #require(manifest.run(language: "en", seed: 42))
            run.status = .running
            manifest.setRun(run)
        }
        #expect(throws: InputError.self) { try ComputeJob(request(session, sentences: 30, languages: ["en"])).run() }
        #expect(try ComputeJob(request(session, languages: ["en"])).run().runs.map(\.outcome) == [.computed])
    }

    /// Stops at random sentences (as a signal would), resumes with the same request until done,
    /// and compares every output file byte for byte with an uninterrupted run.
    @Test(arguments: ["xsns", "exact"])
    func stoppedAndResumedRunsAreBitIdentical(estimator: String) throws {
        let folder = try Fixtures.temporaryDirectory()
        let reference = folder.appendingPathComponent("reference")
        _ = try ComputeJob(request(reference, estimator: estimator, sentences: 40, languages: ["de"])).run()

        let resumed = folder.appendingPathComponent("resumed")
        var random = SeededRandom(seed: 2024)
        var attempts = 0
        while true {
            attempts += 1
            let stopAfter = 1 + random.nextInt(below: 12)
            let stop = StopSignal()
            let counter = EventCounter()
            let job = ComputeJob(request(resumed, estimator: estimator, sentences: 40, languages: ["de"]), stop: stop) {
                if case .progress = $0, counter.increment() >= stopAfter { stop.stop() }
            }
            job.checkpointSentences = 3
            job.progressInterval = 0
            if try job.run().runs.allSatisfy({ $0.outcome != .interrupted }) { break }
            #expect(attempts < 50)
        }
        #expect(attempts > 2)
        let paths = [SessionPaths(folder: reference), SessionPaths(folder: resumed)]
        for url in paths.map({ $0.fisher(language: "de", seed: 42) }) + paths.map({ $0.headImportance(language: "de", seed: 42) })
            + paths.map({ $0.embedding(language: "de", seed: 42) }) + paths.map({ $0.inputs(language: "de", seed: 42) })
        where url.path.contains("/reference/") {
            let twin = URL(fileURLWithPath: url.path.replacingOccurrences(of: "/reference/", with: "/resumed/"))
            #expect(try Data(contentsOf: url) == Data(contentsOf: twin), "\(url.lastPathComponent) differs after resume")
        }
    }
}

final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [ComputeEvent] = []
    func append(_ event: ComputeEvent) { lock.withLock { stored.append(event) } }
    var events: [ComputeEvent] { lock.withLock { stored } }
}

final class EventCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() -> Int { lock.withLock { count += 1; return count } }
}
