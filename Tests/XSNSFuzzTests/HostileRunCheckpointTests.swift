import Foundation
import Testing
import XSNSSession
import XSNSStorage
import XSNSTestSupport

@testable import XSNSCompute

/// The resumable state `xsns compute` leaves in `checkpoints/` is a file like any other: damaged (a
/// disk error, an edit, a copy from another run), resuming from it must be a clear InputError naming
/// it, not an index out of range. A real checkpoint is made by stopping the demo model's computation;
/// its JSON state is then edited and the same computation run again.
struct HostileRunCheckpointTests {
    static let model = Fixtures.repositoryRoot.appendingPathComponent("Sources/xsns/DemoModel").path
    static let corpora = Fixtures.repositoryRoot.appendingPathComponent("Corpora")
    static let metadataKey = "xsns_run_checkpoint"

    func request(_ session: URL) -> ComputeRequest {
        ComputeRequest(
            session: session, modelSpec: Self.model, corpora: Self.corpora, languages: ["fi"],
            options: ComputeOptions(sentences: 12, seeds: [42], estimator: "xsns", batchSize: 4, maxLength: 32,
                                    maskProbability: 0.15, recordInputs: false, threads: 1))
    }

    /// Runs until the first progress event, which leaves a checkpoint behind.
    func interruptedSession() throws -> URL {
        let session = try Fixtures.temporaryDirectory("xsns-fuzz-resume").appendingPathComponent("s")
        let stop = StopSignal()
        let job = ComputeJob(request(session), stop: stop) { if case .progress = $0 { stop.stop() } }
        job.checkpointSentences = 1
        job.progressInterval = 0
        #expect(try job.run().wasInterrupted)
        return session
    }

    struct Edit: Sendable, CustomTestStringConvertible {
        let label: String
        let change: @Sendable (inout [String: Any]) -> Void
        var testDescription: String { label }
    }

    static let edits: [Edit] = [
        Edit(label: "more sentences done than planned") { state(&$0) { progress in progress["sentences"] = 1_000_000 } },
        Edit(label: "a negative sentence count") { state(&$0) { progress in progress["sentences"] = -3 } },
        Edit(label: "an EMB sum shorter than the hidden size") { $0["embeddingSumBits"] = [0] },
        Edit(label: "an EMB sum longer than the hidden size") { $0["embeddingSumBits"] = Array(repeating: 0, count: 4096) },
    ]

    static func state(_ metadata: inout [String: Any], _ change: (inout [String: Any]) -> Void) {
        var state = metadata["state"] as? [String: Any] ?? [:]
        var progress = state["progress"] as? [String: Any] ?? [:]
        change(&progress)
        state["progress"] = progress
        metadata["state"] = state
    }

    @Test(arguments: edits)
    func resumingFromAnEditedCheckpointIsAnInputErrorNamingIt(_ edit: Edit) throws {
        let session = try interruptedSession()
        defer { try? FileManager.default.removeItem(at: session.deletingLastPathComponent()) }
        let url = SessionPaths(folder: session).checkpoint(language: "fi", seed: 42)
        let file = try SafeTensorsFile(url: url)
        let json = try #require(file.metadata[Self.metadataKey])
        var metadata = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        edit.change(&metadata)
        let edited = String(decoding: try JSONSerialization.data(withJSONObject: metadata), as: UTF8.self)
        let layout = TensorLayout(file.tensors.map { ($0.name, $0.shape) })
        let values = try file.tensors.flatMap { try file.floats($0.name) }
        try SafeTensorsWriter.write(FlatTensors(layout: layout, values: values), metadata: [Self.metadataKey: edited], to: url)

        #expect {
            _ = try ComputeJob(request(session)).run()
        } throws: { error in
            (error as? InputError)?.file == url.path
        }
    }
}
