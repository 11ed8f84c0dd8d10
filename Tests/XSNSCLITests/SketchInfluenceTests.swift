import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport

/// `compute --sketch D` and `xsns influence` from outside: one [sentences, D] sketch file per run with its
/// projection in the metadata; each target's influence shares add up to 1 over the sources; the metric in
/// `matrix` is the same; the setting belongs to the session; bad values exit 2 with one line.
struct SketchInfluenceTests {
    static let demo = Fixtures.repositoryRoot.appendingPathComponent("Sources/xsns/DemoModel").path
    static let corpora = Fixtures.repositoryRoot.appendingPathComponent("Corpora").path

    static func compute(_ session: URL, _ extra: [String]) throws -> CommandResult {
        try XSNSBinary.run(["compute", "--session", session.path, "--model", demo, "--corpora", corpora,
                            "--langs", "de,fi,ru", "--sentences", "16", "--seeds", "1", "--threads", "1", "--no-emb"] + extra)
    }

    @Test func sketchesInfluenceAndTheSessionSetting() throws {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        let computed = try Self.compute(session, ["--sketch", "64"])
        #expect(computed.status == 0, "\(computed.stderr)")
        let file = try SafeTensorsFile(url: session.appendingPathComponent("sketches/fi.seed1.safetensors"))
        #expect(file.info("sketch")?.shape == [16, 64])
        #expect(file.metadata["dimension"] == "64" && file.metadata["projection_seed"] != nil)
        #expect(try file.floats("sketch").contains { $0 != 0 })

        let influence = try XSNSBinary.run(["influence", "--session", session.path, "--m", "5", "--format", "csv"])
        #expect(influence.status == 0, "\(influence.stderr)")
        let lines = influence.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        // influence+ comes first: header, then a row per target.
        let positive = lines[1...3].map { row in row.dropFirst().compactMap { Double($0) } }
        for row in positive { #expect(abs(row.reduce(0, +) - 1) < 1e-9, "\(row): shares of a target must add up to 1") }
        let matrix = try XSNSBinary.run(["matrix", "--session", session.path, "--metric", "influence+", "--format", "csv"])
        #expect(matrix.status == 0, "\(matrix.stderr)")
        #expect(lines.contains { $0.first == "layer" }, "per-layer correlation missing:\n\(influence.stdout)")

        let without = try Self.compute(session, ["--langs", "uk"])
        #expect(without.status == 2 && without.stderr.contains("--sketch"), "\(without.stderr)")
        let bad = try Self.compute(try Fixtures.temporaryDirectory().appendingPathComponent("b"), ["--sketch", "10"])
        #expect(bad.status == 2 && bad.stderr.split(separator: "\n").count == 1 && bad.stderr.contains("square"), "\(bad.stderr)")
        let none = try XSNSBinary.run(["influence", "--session", try Fixtures.temporaryDirectory().path])
        #expect(none.status == 2, "\(none.stderr)")
    }
}
