import Foundation
import Testing
import XSNSAnalysis
import XSNSTestSupport

/// `xsns prune-heads` and `xsns heads` on a computed demo session: one file per language whose last
/// accepted step keeps accuracy ≥ keep × the unpruned model's; an interrupted run (a record cut back to
/// its first steps) resumes to the same file; other settings are refused; the views print.
struct PruneHeadsCommandTests {
    static let demo = Fixtures.repositoryRoot.appendingPathComponent("Sources/xsns/DemoModel").path
    static let corpora = Fixtures.repositoryRoot.appendingPathComponent("Corpora").path

    @Test func prunesResumesAndShows() throws {
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        let computed = try XSNSBinary.run([
            "compute", "--session", session.path, "--model", Self.demo, "--corpora", Self.corpora, "--langs", "de,fi",
            "--sentences", "8", "--seeds", "1", "--threads", "1", "--no-emb",
        ])
        #expect(computed.status == 0, "\(computed.stderr)")
        let prune = ["prune-heads", "--session", session.path, "--sentences", "48", "--keep", "0.9", "--threads", "1"]
        let pruned = try XSNSBinary.run(prune)
        #expect(pruned.status == 0, "\(pruned.stderr)")
        #expect(pruned.stdout.contains("de") && pruned.stdout.contains("fi") && pruned.stdout.contains("done"), "\(pruned.stdout)")
        let url = session.appendingPathComponent("pruning/de.json")
        let record = try HeadPruningRecord.load(url)
        #expect(record.finished && record.steps.count >= 2)
        let kept = try #require(record.steps.last { $0.accepted })
        #expect(kept.accuracy >= 0.9 * record.steps[0].accuracy)
        #expect(record.steps[0].heads == 12 && record.steps[0].predicted > 0)
        let whole = try Data(contentsOf: url)

        // Interrupted after two steps, and the session gained a seed meanwhile: the same command finishes it on
        // the same held-out sentences, to the same bytes.
        let more = try XSNSBinary.run([
            "compute", "--session", session.path, "--model", Self.demo, "--corpora", Self.corpora, "--langs", "de,fi",
            "--sentences", "8", "--seeds", "2", "--threads", "1", "--no-emb",
        ])
        #expect(more.status == 0, "\(more.stderr)")
        var cut = record
        cut.steps = Array(record.steps.prefix(2))
        cut.stop = nil
        try JSONEncoder().encode(cut).write(to: url)
        let resumed = try XSNSBinary.run(prune)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try Data(contentsOf: url) == whole, "a resumed run ends as the uninterrupted one")

        let other = try XSNSBinary.run(prune.map { $0 == "0.9" ? "0.8" : $0 })
        #expect(other.status == 2 && other.stderr.contains(url.path) && other.stderr.contains("other settings"), "\(other.stderr)")
        #expect(try Data(contentsOf: url) == whole)

        let views = try XSNSBinary.run(["heads", "--session", session.path, "--view", "summary,grid,share,jaccard,curve",
                                        "--lang", "fi"])
        #expect(views.status == 0, "\(views.stderr)")
        for title in ["sub-networks", "languages enabling each head (of 2)", "share", "jaccard", "pruning curve of fi"] {
            #expect(views.stdout.contains(title), "\(title) missing:\n\(views.stdout)")
        }
        let csv = try XSNSBinary.run(["heads", "--session", session.path, "--view", "overlap", "--format", "csv"])
        let rows = csv.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.count == 3 && rows[1][1] == Substring("\(record.subnetwork.count)"), "\(csv.stdout)")

        // Composition: each sub-network on its own language scores what pruning recorded for it.
        let composed = try XSNSBinary.run(["heads", "--session", session.path, "--view", "summary", "--compose", "de,fi",
                                           "--format", "csv", "--threads", "1"])
        #expect(composed.status == 0, "\(composed.stderr)")
        let lines = composed.stdout.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let deRow = try #require(lines.first { $0.first == "de" && $0.count == 4 })
        #expect(deRow[2] == String(format: "%.2f%%", kept.accuracy * 100), "\(composed.stdout)")
        #expect(lines.contains { $0.first == "de ∪ fi" } && lines.contains { $0.first == "de ∩ fi" }, "\(composed.stdout)")

        // The pruned masks as a similarity in matrix (and so in rank and eval).
        let fi = try HeadPruningRecord.load(session.appendingPathComponent("pruning/fi.json")).subnetwork
        let matrix = try XSNSBinary.run(["matrix", "--session", session.path, "--metric", "heads-jaccard", "--format", "csv"])
        #expect(matrix.status == 0, "\(matrix.stderr)")
        let cells = matrix.stdout.split(separator: "\n").map { $0.split(separator: ",") }
        #expect(cells.count == 3 && Double(cells[1][2]) == record.subnetwork.jaccard(fi), "\(matrix.stdout)")
        let rank = try XSNSBinary.run(["rank", "--session", session.path, "--target", "de", "--metric", "heads-cosine"])
        #expect(rank.status == 0 && rank.stdout.contains("fi"), "\(rank.stdout)\(rank.stderr)")

        // A record naming another language than its file, or of another shape: one line naming the file.
        let stray = session.appendingPathComponent("pruning/xx.json")
        try Data(contentsOf: url).write(to: stray)
        let misnamed = try XSNSBinary.run(["heads", "--session", session.path])
        #expect(misnamed.status == 2 && misnamed.stderr.contains(stray.path) && misnamed.stderr.contains("'de'"), "\(misnamed.stderr)")
        var small = record
        small.language = "xx"
        small.layers = 1
        small.steps = small.steps.map { step in
            var step = step
            step.mask = [step.mask[0]]
            step.importance = [step.importance[0]]
            return step
        }
        try JSONEncoder().encode(small).write(to: stray)
        let mixed = try XSNSBinary.run(["heads", "--session", session.path])
        #expect(mixed.status == 2 && mixed.stderr.contains("1 × 4 heads") && mixed.stderr.split(separator: "\n").count == 1,
                "\(mixed.stderr)")
    }

    /// `--objective task`: the probe task's tagging accuracy on the dev treebanks judges each step.
    @Test func prunesByTheProbeTask() throws {
        let treebanks = try Fixtures.probeTreebanks()
        let tiny = try Data(contentsOf: Fixtures.url("probe/tiny.conllu"))
        try tiny.write(to: treebanks.appendingPathComponent("de-tiny-dev.conllu"))
        let session = try Fixtures.temporaryDirectory().appendingPathComponent("s")
        #expect(try XSNSBinary.run(["compute", "--session", session.path, "--model", Self.demo, "--corpora", Self.corpora,
                                    "--langs", "de,fi", "--sentences", "8", "--seeds", "1", "--threads", "1", "--no-emb"]).status == 0)
        let prune = ["prune-heads", "--session", session.path, "--objective", "task", "--treebanks", treebanks.path,
                     "--langs", "de", "--keep", "0.9", "--threads", "1"]
        let noTask = try XSNSBinary.run(prune)
        #expect(noTask.status == 2 && noTask.stderr.contains("probe-task"), "\(noTask.stderr)")
        let task = try XSNSBinary.run(["probe-task", "--session", session.path, "--treebanks", treebanks.path,
                                       "--epochs", "1", "--batch-size", "4", "--threads", "1"])
        #expect(task.status == 0, "\(task.stderr)")
        let pruned = try XSNSBinary.run(prune)
        #expect(pruned.status == 0, "\(pruned.stderr)")
        let record = try HeadPruningRecord.load(session.appendingPathComponent("pruning/de.json"))
        #expect(record.settings.objective == "task" && record.settings.task?.count == 64 && record.finished)
        let words = String(decoding: tiny, as: UTF8.self).split(separator: "\n")
            .filter { line in !line.hasPrefix("#") && line.split(separator: "\t").first.map { Int($0) != nil } == true }.count
        #expect(record.steps[0].predicted == words, "every dev word is judged once")
        let kept = try #require(record.steps.last { $0.accepted })
        #expect(kept.accuracy >= 0.9 * record.steps[0].accuracy)
        let noDev = try XSNSBinary.run(prune.map { $0 == "de" ? "fi" : $0 })
        #expect(noDev.status == 2 && noDev.stderr.contains("dev treebank"), "\(noDev.stderr)")
        let noFolder = try XSNSBinary.run(["prune-heads", "--session", session.path, "--objective", "task"])
        #expect(noFolder.status == 2 && noFolder.stderr.contains("--treebanks"), "\(noFolder.stderr)")
    }

    @Test func badInputIsOneLineAndExitTwo() throws {
        let empty = try Fixtures.temporaryDirectory()
        let noRuns = try XSNSBinary.run(["prune-heads", "--session", empty.path])
        #expect(noRuns.status == 2 && noRuns.stderr.split(separator: "\n").count == 1, "\(noRuns.stderr)")
        let noRecords = try XSNSBinary.run(["heads", "--session", empty.path])
        #expect(noRecords.status == 2 && noRecords.stderr.contains("prune-heads"), "\(noRecords.stderr)")
        let badKeep = try XSNSBinary.run(["prune-heads", "--session", empty.path, "--keep", "1.5"])
        #expect(badKeep.status == 2 && badKeep.stderr.contains("--keep"), "\(badKeep.stderr)")
    }
}
