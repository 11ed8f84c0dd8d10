import Foundation
import Testing
import XSNSTestSupport

/// `compute --jobs 2 --threads 2` runs two (language, seed) runs at once with one thread each: every file
/// it writes equals, byte for byte, a sequential `--threads 1` computation.
@Suite struct ComputeJobsTests {
    @Test func parallelRunsEqualSequentialOnes() throws {
        let root = Fixtures.repositoryRoot
        let folder = try Fixtures.temporaryDirectory()
        func compute(_ name: String, _ extra: [String]) throws -> URL {
            let session = folder.appendingPathComponent(name)
            let result = try XSNSBinary.run([
                "compute", "--session", session.path, "--model", root.appendingPathComponent("Sources/xsns/DemoModel").path,
                "--corpora", root.appendingPathComponent("Corpora").path, "--langs", "fi,ru", "--sentences", "12",
                "--seeds", "1,2",
            ] + extra)
            #expect(result.status == 0, "\(result.stderr)")
            return session
        }
        let sequential = try compute("sequential", ["--threads", "1"])
        let parallel = try compute("parallel", ["--threads", "2", "--jobs", "2"])
        var compared = 0
        for folder in ["fisher", "heads", "baselines/emb"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: sequential.appendingPathComponent(folder).path)
            for name in names where name.hasSuffix(".safetensors") {
                let a = try Data(contentsOf: sequential.appendingPathComponent(folder).appendingPathComponent(name))
                let b = try Data(contentsOf: parallel.appendingPathComponent(folder).appendingPathComponent(name))
                #expect(a == b, "\(folder)/\(name) differs")
                compared += 1
            }
        }
        #expect(compared == 12)
    }

    /// `--no-emb` skips the EMB pass: no baseline files, and the Fisher files are those of a full run.
    @Test func noEmbeddingChangesNoFisher() throws {
        let root = Fixtures.repositoryRoot
        let folder = try Fixtures.temporaryDirectory()
        func compute(_ name: String, _ extra: [String]) throws -> URL {
            let session = folder.appendingPathComponent(name)
            let result = try XSNSBinary.run([
                "compute", "--session", session.path, "--model", root.appendingPathComponent("Sources/xsns/DemoModel").path,
                "--corpora", root.appendingPathComponent("Corpora").path, "--langs", "fi", "--sentences", "20",
                "--seeds", "1", "--threads", "1",
            ] + extra)
            #expect(result.status == 0, "\(result.stderr)")
            return session
        }
        let full = try compute("full", []), lean = try compute("lean", ["--no-emb"])
        #expect(!FileManager.default.fileExists(atPath: lean.appendingPathComponent("baselines/emb/fi.seed1.safetensors").path))
        #expect(FileManager.default.fileExists(atPath: full.appendingPathComponent("baselines/emb/fi.seed1.safetensors").path))
        #expect(try Data(contentsOf: full.appendingPathComponent("fisher/fi.seed1.safetensors"))
                == Data(contentsOf: lean.appendingPathComponent("fisher/fi.seed1.safetensors")))
    }
}
