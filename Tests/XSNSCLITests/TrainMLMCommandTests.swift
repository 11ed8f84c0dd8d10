import Foundation
import Testing
import XSNSAnalysis
import XSNSStorage
import XSNSTestSupport

/// `xsns train-mlm` from outside: a run writes its folder and says so; bad input exits 2 with one line
/// naming the problem and creates nothing.
@Suite struct TrainMLMCommandTests {
    static let demo = Fixtures.repositoryRoot.appendingPathComponent("Sources/xsns/DemoModel").path
    static let corpora = Fixtures.repositoryRoot.appendingPathComponent("Corpora").path

    @Test func trainsAndWritesTheFolder() throws {
        let out = try Fixtures.temporaryDirectory().appendingPathComponent("trained")
        let result = try XSNSBinary.run(["train-mlm", "--model", Self.demo, "--corpora", Self.corpora, "--langs", "en,de",
                                         "--steps", "3", "--batch-size", "2", "--out", out.path, "--threads", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("trained 3 steps"))
        for file in ["config.json", "model.safetensors", "tokenizer.json", "train_log.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file)")
        }
    }

    @Test(arguments: [
        (["--langs", "xx"], "xx"),
        (["--langs", "en", "--steps", "0"], "--steps"),
        (["--langs", "en", "--train", "heads"], "--train"),
        (["--langs", "en", "--mask-prob", "1.5"], "--mask-prob"),
        (["--langs", "en", "--sparse-mask", "demo:fi"], "SESSION:LANG:P"),
        (["--langs", "en", "--sparse-mask", "/nonexistent/s:fi:0.1"], "/nonexistent/s"),
        (["--langs", "en", "--head-mask", "demo:fi:1.5"], "(0, 1)"),
        (["--langs", "en", "--head-mask", "/nonexistent/s:fi"], "/nonexistent/s"),
        (["--langs", "en", "--head-mask", "a:fi:0.1", "--sparse-mask", "a:fi:0.1"], "not both"),
    ])
    func badInputExitsTwoWithOneLine(arguments: [String], mentions: String) throws {
        let out = try Fixtures.temporaryDirectory().appendingPathComponent("trained")
        var base = ["train-mlm", "--model", Self.demo, "--corpora", Self.corpora, "--out", out.path, "--threads", "1"]
        if !arguments.contains("--steps") { base += ["--steps", "2"] }
        let result = try XSNSBinary.run(base + arguments)
        #expect(result.status == 2, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && result.stderr.contains(mentions), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "bad input left \(out.path) behind")
    }

    /// `--sparse-mask`: the parameters that changed are exactly inside fi's sub-network at p (most of it
    /// moves), and nothing outside θ changes although `--train all` is given.
    @Test func sparseMaskConfinesTheUpdateToTheSubnetwork() throws {
        let (session, out) = try Self.trainOnFiSession(["--train", "all", "--sparse-mask"], mask: "0.2", steps: 3)
        let masks = try SessionMasks(catalog: FisherCatalog(session: session), p: 0.2, languages: ["fi"], seedAveraged: true)
        let subnetwork = try #require(masks.subnetworks["fi"]?[0])
        let before = try SafeTensorsFile(url: URL(fileURLWithPath: Self.demo).appendingPathComponent("model.safetensors"))
        let after = try SafeTensorsFile(url: out.appendingPathComponent("model.safetensors"))
        var movedInside = 0, movedOutside = 0
        for tensor in before.tensors {
            let old = try before.floats(tensor.name), new = try after.floats(tensor.name)
            let theta = masks.layout[tensor.name]
            for i in old.indices where old[i].bitPattern != new[i].bitPattern {
                if let theta, subnetwork.bits.contains(theta.offset + i) { movedInside += 1 } else { movedOutside += 1 }
            }
        }
        print("sparse-mask: \(movedInside) of \(subnetwork.size) sub-network parameters moved, \(movedOutside) outside")
        #expect(movedOutside == 0)
        #expect(movedInside > subnetwork.size / 2)
    }

    /// `--head-mask`: only the kept heads' attention parameters move (query/key/value rows and biases,
    /// attention-output columns), each by the head index its position implies.
    @Test func headMaskConfinesTheUpdateToTheKeptHeads() throws {
        let (session, out) = try Self.trainOnFiSession(["--head-mask"], mask: "0.25", steps: 2)
        let kept = try #require(try FisherCatalog(session: session).headImportance("fi")).mask(fraction: 0.25).used
        try Self.expectOnlyKeptHeadsMoved(out: out, kept: kept, label: "head-mask")
    }

    /// `--head-mask SESSION:fi`, fi's pruned sub-network (xsns prune-heads): the update is confined to its
    /// heads, and the pruned heads are off in the forward pass (the first step's loss, taken before any
    /// update, is not the full model's; with `:F` the forward pass is the full model's).
    @Test func prunedHeadMaskSwitchesHeadsOffAndConfinesTheUpdate() throws {
        let (session, out) = try Self.trainOnFiSession(["--head-mask"], mask: nil, steps: 2) { session in
            let pruned = try XSNSBinary.run(["prune-heads", "--session", session.path, "--sentences", "48", "--keep", "0.9",
                                             "--threads", "1"])
            #expect(pruned.status == 0, "\(pruned.stderr)")
        }
        let record = try HeadPruningRecord.load(session.appendingPathComponent("pruning/fi.json"))
        #expect(record.subnetwork.count < 12, "pruning switched no head off; the test would prove nothing")
        try Self.expectOnlyKeptHeadsMoved(out: out, kept: record.subnetwork.used, label: "pruned head-mask")
        let (_, full) = try Self.trainOnFiSession(["--head-mask"], mask: "0.5", steps: 2, session: session)
        func firstLoss(_ folder: URL) throws -> String {
            let line = try String(contentsOf: folder.appendingPathComponent("train_log.jsonl"), encoding: .utf8)
                .split(separator: "\n")[0]
            return String(line.split(separator: ",").first { $0.contains("\"loss\"") } ?? "")
        }
        #expect(try firstLoss(out) != firstLoss(full), "the pruned heads were not off in the forward pass")
    }

    static func expectOnlyKeptHeadsMoved(out: URL, kept: [[Bool]], label: String) throws {
        let layers = kept.count, heads = kept[0].count
        let before = try SafeTensorsFile(url: URL(fileURLWithPath: Self.demo).appendingPathComponent("model.safetensors"))
        let after = try SafeTensorsFile(url: out.appendingPathComponent("model.safetensors"))
        var moved = 0, strays: [String] = []
        for tensor in before.tensors {
            let old = try before.floats(tensor.name), new = try after.floats(tensor.name)
            let hidden = tensor.shape.last!, width = hidden / heads
            let layer = (0..<layers).first { tensor.name.contains("layer.\($0).") }
            for i in old.indices where old[i].bitPattern != new[i].bitPattern {
                let head: Int? = if tensor.name.contains("attention.self.") {
                    (tensor.shape.count == 2 ? i / hidden : i) / width
                } else if tensor.name.hasSuffix("attention.output.dense.weight") {
                    (i % hidden) / width
                } else { nil }
                if let layer, let head, kept[layer][head] { moved += 1 } else { strays.append("\(tensor.name)[\(i)]") }
            }
        }
        let keptHeads = kept.joined().filter { $0 }.count
        print("\(label): \(keptHeads) of \(layers * heads) heads kept, \(moved) parameters moved, \(strays.count) elsewhere")
        #expect(strays.isEmpty, "\(strays.prefix(5))")
        // Each kept head: its d rows of Q, K, V (h wide) and their biases, and its d columns of the output.
        // A key bias's gradient is zero in exact arithmetic (softmax ignores a shift), so some may not move.
        let hidden = 96, width = hidden / heads
        let expected = keptHeads * (3 * width * hidden + 3 * width + hidden * width)
        #expect(keptHeads > 0 && moved <= expected && expected - moved <= keptHeads * width, "\(moved) of \(expected) moved")
    }

    /// Computes a one-language session (fi, 8 sentences, seeds 1 and 2; or reuses `session`), runs
    /// `prepare` on it, and trains the demo model on fi with `flags` followed by `SESSION:fi[:<mask>]`;
    /// returns the session and the trained folder.
    static func trainOnFiSession(_ flags: [String], mask: String?, steps: Int, session existing: URL? = nil,
                                 prepare: (URL) throws -> Void = { _ in }) throws -> (session: URL, out: URL) {
        let folder = try Fixtures.temporaryDirectory()
        let session = existing ?? folder.appendingPathComponent("s"), out = folder.appendingPathComponent("trained")
        if existing == nil {
            let computed = try XSNSBinary.run([
                "compute", "--session", session.path, "--model", demo, "--corpora", corpora, "--langs", "fi",
                "--sentences", "8", "--seeds", "1,2", "--threads", "1",
            ])
            #expect(computed.status == 0, "\(computed.stderr)")
        }
        try prepare(session)
        let result = try XSNSBinary.run(["train-mlm", "--model", demo, "--corpora", corpora, "--langs", "fi",
                                         "--steps", "\(steps)", "--batch-size", "4", "--lr", "1e-3", "--out", out.path,
                                         "--threads", "1"] + flags + ["\(session.path):fi" + (mask.map { ":\($0)" } ?? "")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("sparse fine-tuning"), "\(result.stderr)")
        return (session, out)
    }
}
