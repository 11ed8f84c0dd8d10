import Foundation
import Testing
import XSNSCompute
import XSNSEngine
import XSNSStorage
import XSNSTestSupport
import XSNSTraining

/// `xsns train-mlm`'s job on the demo model and corpora: outputs, resume after a stop, refusals.
struct TrainMLMJobTests {
    static let demoModel = Fixtures.repositoryRoot.appendingPathComponent("Sources/xsns/DemoModel").path
    static let corpora = Fixtures.repositoryRoot.appendingPathComponent("Corpora").path

    static func options(steps: Int = 12) -> TrainMLMOptions {
        var options = TrainMLMOptions(model: demoModel, corpora: corpora, languages: ["ru", "uk"], steps: steps)
        options.batchSize = 4
        options.learningRate = 1e-3
        options.weightDecay = 0.01
        options.warmupSteps = 2
        options.clipNorm = 1
        options.recordInputs = true
        return options
    }

    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("train-mlm-\(UUID().uuidString)")
    }

    @Test func writesALoadableCheckpointWithItsLogAndInputs() throws {
        let out = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        #expect(try TrainMLMJob(options: Self.options(), out: out, threads: 1).run())
        let trained = try Checkpoint.open(out.path, environment: [:])
        let original = try Checkpoint.open(Self.demoModel, environment: [:])
        #expect(trained.config == original.config)
        let before = try EncoderParameters(checkpoint: original).allValues
        let after = try EncoderParameters(checkpoint: trained).allValues
        #expect(before.layout == after.layout)
        #expect(before.values != after.values, "training changed nothing")

        let log = try String(contentsOf: out.appendingPathComponent("train_log.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(log.map { $0["step"] as? Int } == (1...12).map { $0 })
        #expect(log.allSatisfy { ($0["loss"] as? Double)?.isFinite == true && $0["grad_norm"] is Double })
        #expect(log[0]["lr"] as? Double == 0)  // warm-up starts at 0, as Hugging Face's
        let inputs = try String(contentsOf: out.appendingPathComponent("inputs.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        #expect(inputs.count == 12 * 4)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(".train-state").path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("tokenizer.json").path))
    }

    /// Stopped after step 5 (state saved), then run again: every output byte equals an uninterrupted run.
    @Test func aStoppedRunResumesBitIdentically() throws {
        let straight = Self.temporaryFolder(), resumed = Self.temporaryFolder()
        defer { for folder in [straight, resumed] { try? FileManager.default.removeItem(at: folder) } }
        #expect(try TrainMLMJob(options: Self.options(), out: straight, threads: 1).run())

        let stop = StopSignal()
        let first = TrainMLMJob(options: Self.options(), out: resumed, threads: 1, stop: stop) { event in
            if case .step(let log, _, _) = event, log.step == 5 { stop.stop() }
        }
        first.checkpointSteps = 3
        #expect(try first.run() == false)
        #expect(FileManager.default.fileExists(atPath: resumed.appendingPathComponent(".train-state/snapshot.safetensors").path))
        #expect(!FileManager.default.fileExists(atPath: resumed.appendingPathComponent("model.safetensors").path))
        #expect(try TrainMLMJob(options: Self.options(), out: resumed, threads: 1).run())
        for file in ["model.safetensors", "train_log.jsonl", "inputs.jsonl"] {
            let a = try Data(contentsOf: straight.appendingPathComponent(file))
            let b = try Data(contentsOf: resumed.appendingPathComponent(file))
            #expect(a == b, "\(file) differs after resuming")
        }
    }

    @Test func refusesOtherOptionsAFinishedOutputAndBadValues() throws {
        let out = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let stop = StopSignal()
        stop.stop()
        #expect(try TrainMLMJob(options: Self.options(), out: out, threads: 1, stop: stop).run() == false)
        var other = Self.options()
        other.learningRate = 2e-3
        #expect(throws: InputError.self) { try TrainMLMJob(options: other, out: out, threads: 1).run() }
        #expect(try TrainMLMJob(options: Self.options(), out: out, threads: 1).run())
        #expect(throws: InputError.self) { try TrainMLMJob(options: Self.options(), out: out, threads: 1).run() }

        var bad = Self.options()
        bad.languages = ["xx"]
        #expect(throws: InputError.self) { try TrainMLMJob(options: bad, out: Self.temporaryFolder(), threads: 1).run() }
        bad = Self.options()
        bad.steps = 0
        #expect(throws: InputError.self) { try TrainMLMJob(options: bad, out: Self.temporaryFolder(), threads: 1).run() }
    }
}
