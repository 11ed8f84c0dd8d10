import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport

/// `kill -9` while `xsns index` writes (indexes, then pair counts) leaves no index or pair-count file that
/// would be read: only temp files, which the next writer removes, and every later analysis gives the same
/// matrix (at a p off the grid, and at one the pair counts hold) without a damaged file.
@Suite(.serialized) struct IndexKillTests {
    @Test func killingIndexWritingNeverLeavesAReadableBadIndex() throws {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("killed")
        let fisher = session.appendingPathComponent("fisher")
        try FileManager.default.createDirectory(at: fisher, withIntermediateDirectories: true)
        let count = 3_000_000
        for (language, salt) in [("de", 1), ("fi", 2), ("nl", 3)] {
            let values = (0..<count).map { index -> Float in
                let mixed = (index &* 2_654_435_761 &+ salt &* 97) % 1_000_003
                return mixed % 10 == 0 ? 0 : Float(mixed) * 1e-6
            }
            try SafeTensorsWriter.write(FlatTensors(layout: TensorLayout([("w", [count])]), values: values), metadata: [:],
                                        to: fisher.appendingPathComponent("\(language).seed1.safetensors"))
        }
        let reference = try XSNSBinary.run(["matrix", "--session", session.path, "--p", "0.0731"])
        #expect(reference.status == 0, "\(reference.stderr)")
        let stored = try XSNSBinary.run(["matrix", "--session", session.path, "--p", "0.07"])
        #expect(stored.status == 0, "\(stored.stderr)")
        let log = session.appendingPathComponent("index.log")
        for delay in [30_000, 80_000, 150_000, 250_000, 400_000] as [UInt32] {
            let process = try XSNSBinary.launch(["index", "--session", session.path, "--rebuild"], stderrTo: log)
            usleep(delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let after = try XSNSBinary.run(["matrix", "--session", session.path, "--p", "0.0731"])
            #expect(after.status == 0 && after.stdout == reference.stdout, "killed after \(delay) µs: \(after.stderr)")
            #expect(!after.stderr.contains("damaged"), "killed after \(delay) µs: \(after.stderr)")
            let atStored = try XSNSBinary.run(["matrix", "--session", session.path, "--p", "0.07"])
            #expect(atStored.status == 0 && atStored.stdout == stored.stdout, "killed after \(delay) µs: \(atStored.stderr)")
        }
        let completed = try XSNSBinary.run(["index", "--session", session.path, "--rebuild"])
        #expect(completed.status == 0 && completed.stderr.contains("pair counts: seed 1/1, 3 runs"), "\(completed.stderr)")
        let atStored = try XSNSBinary.run(["matrix", "--session", session.path, "--p", "0.07"])
        #expect(atStored.stdout == stored.stdout)
        let names = try FileManager.default.contentsOfDirectory(atPath: session.appendingPathComponent("index").path)
        #expect(names.filter { $0.hasSuffix(".maskindex") }.sorted() == ["de.seed1.maskindex", "fi.seed1.maskindex", "nl.seed1.maskindex"])
        #expect(names.filter { $0.hasSuffix(".pairs") }.sorted() == ["de.seed1.pairs", "fi.seed1.pairs", "nl.seed1.pairs"])
        #expect(names.filter { $0.contains(".tmp-") }.isEmpty, "the last writer removed abandoned temp files: \(names)")
    }
}
