import ArgumentParser
import Foundation
import XSNSAnalysis
import XSNSCompute
import XSNSEngine
import XSNSPruning
import XSNSSession
import XSNSStorage

struct PruneHeadsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune-heads",
        abstract: "Find each language's head sub-network by iterative pruning (Michel et al.; Choenni et al.).",
        discussion: """
            From every head on, each step switches off the --step fraction of the remaining heads with the \
            lowest importance |∂L/∂ξ_h| (summed over batches, normalised per layer by its L2 norm unless \
            --no-normalise), measured at the current mask, and stops before masked-token accuracy falls \
            below --keep × the unpruned model's. Accuracy is judged on --sentences lines of the language's \
            corpus that no Fisher run of the session used, masked once from --seed (--objective mlm), or by \
            the probe task's tagging accuracy on the first --sentences sentences of the language's dev \
            treebank (--objective task, --treebanks DIR). Uses the session's model and corpora. Writes pruning/<lang>.json after every step; run it again to resume. See them with \
            xsns heads.
            """)

    @Option(help: "Session name (a folder under Sessions/) or a path containing '/'.")
    var session: String
    @Option(help: "Comma-separated languages (default: every language of the session).")
    var langs: String?
    @Option(help: "mlm (masked-token accuracy on held-out corpus sentences) or task (the probe's tagging accuracy on the dev treebank; needs xsns probe-task and --treebanks).")
    var objective = "mlm"
    @Option(help: "Folder of <lang>*dev*.conllu treebanks, for --objective task.")
    var treebanks: String?
    @Option(help: "Stop before accuracy falls below this share of the unpruned model's.")
    var keep = 0.95
    @Option(help: "Share of the remaining heads switched off per step (at least one head).")
    var step = 0.1
    @Flag(help: "Compare raw importance across layers instead of normalising each layer by its L2 norm.")
    var noNormalise = false
    @Option(help: "Held-out sentences per language to judge accuracy by.")
    var sentences = 256
    @Option(name: .customLong("mask-prob"), help: "Share of non-special tokens masked for prediction.")
    var maskProbability = 0.15
    @Option(help: "Sentences per evaluation batch.")
    var batchSize = 8
    @Option(help: "Sub-words per sentence including special tokens; longer ones are truncated.")
    var maxLength = 128
    @Option(help: "Seed of the held-out sample and its masking.")
    var seed = 1
    @Option(help: "Threads (default: every core this process may use; OMP_NUM_THREADS and cgroup limits honoured).")
    var threads = ThreadBudget.available

    func run() throws {
        let folder = try SessionStore.folder(forName: session)
        var options = PruneHeadsJob.Options()
        options.languages = parseList(langs)
        guard let chosen = PruneHeadsJob.Objective(rawValue: objective) else {
            throw InputError("--objective must be mlm or task, got '\(objective)'")
        }
        options.objective = chosen
        options.treebanks = treebanks
        options.keep = keep
        options.step = step
        options.normalise = !noNormalise
        options.sentences = sentences
        options.maskProbability = maskProbability
        options.batchSize = batchSize
        options.maxLength = maxLength
        options.seed = seed
        let stop = StopSignal()
        let signals = SignalTrap(stop: stop)
        let reporter = PruningReporter()
        let job = PruneHeadsJob(options: options, session: folder, threads: threads, stop: stop, events: reporter.event)
        defer {
            reporter.finish()
            signals.restore()
        }
        guard try job.run() else {
            throw RuntimeFailure("interrupted: finished steps are kept in \(folder.path)/pruning; run it again to resume")
        }
        print(TextTable.render(PrunedHeadViews.summary(try HeadPruningRecord.all(session: folder))), terminator: "")
    }
}

/// Progress of `prune-heads` on stderr (a line redrawn in place on a terminal).
final class PruningReporter: @unchecked Sendable {
    private let status = StatusLine()
    private let lock = NSLock()

    func event(_ event: PruneHeadsJob.Event) {
        lock.withLock {
            switch event {
            case .note(let text): status.write("note: \(text)")
            case .languageStarted(let language, let index, let total, let heads):
                status.write("\(language) (\(index + 1)/\(total)): pruning \(heads) heads")
            case .evaluating(let language, let step, let batch, let batches):
                if status.interactive { status.writeInPlace("\(language) step \(step): batch \(batch)/\(batches)") }
            case .stepFinished(let language, let step, let index):
                status.write(String(format: "%@ step %d: %d heads, accuracy %.2f%%, loss %.4f%@", language, index,
                                    step.heads, step.accuracy * 100, step.loss, step.accepted ? "" : " (below --keep: not kept)"))
            case .languageFinished(let record):
                let kept = record.subnetwork.count
                status.write("\(record.language): \(kept) of \(record.layers * record.heads) heads kept")
            }
        }
    }

    func finish() { lock.withLock { status.finish() } }
}

struct HeadsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heads",
        abstract: "Tables of the pruned head sub-networks (xsns prune-heads).",
        discussion: """
            summary: heads kept and accuracy per language; grid: how many languages enable each head; \
            overlap: heads two languages share; share: the share of the row language's heads that the column \
            language enables too; jaccard, cosine: similarity of the masks; curve: a language's pruning steps \
            (--lang). --compose A,B evaluates the two sub-networks, their union and their intersection with the \
            session's model on both languages' held-out sentences.
            """)

    @Option(help: "Session name (a folder under Sessions/) or a path containing '/'.")
    var session: String
    @Option(help: "Comma-separated views: summary, grid, overlap, share, jaccard, cosine, curve.")
    var view = "summary,grid,overlap,share"
    @Option(help: "The language whose pruning curve `curve` shows.")
    var lang: String?
    @Option(help: "A,B: evaluate both languages' sub-networks, their union and intersection on both languages' held-out sentences.")
    var compose: String?
    @Option(help: "table or csv.")
    var format = "table"
    @Option(help: "Threads for --compose (default: every core this process may use).")
    var threads = ThreadBudget.available

    func run() throws {
        let folder = try SessionStore.folder(forName: session)
        let records = try HeadPruningRecord.all(session: folder)
        guard !records.isEmpty else {
            throw InputError(file: folder.path, "has no pruned heads yet: run xsns prune-heads --session \(session)")
        }
        guard format == "table" || format == "csv" else { throw InputError("--format must be table or csv, got '\(format)'") }
        let views = parseList(view) ?? []
        var blocks: [(String, [[String]])] = []
        for name in views {
            switch name {
            case "summary": blocks.append(("sub-networks", PrunedHeadViews.summary(records)))
            case "grid": blocks.append(("languages enabling each head (of \(records.count))", PrunedHeadViews.usageGrid(records)))
            case "curve":
                guard let lang, let record = records[lang] else {
                    throw InputError("the curve view needs --lang, one of \(records.keys.sorted().joined(separator: ", "))")
                }
                blocks.append(("pruning curve of \(lang)", PrunedHeadViews.curve(record)))
            default:
                guard let kind = PrunedHeadViews.Pairwise(rawValue: name) else {
                    throw InputError("unknown view '\(name)' (summary, grid, overlap, share, jaccard, cosine, curve)")
                }
                blocks.append((kind.rawValue, PrunedHeadViews.pairwise(records, kind)))
            }
        }
        if let compose {
            let pair = parseList(compose) ?? []
            guard pair.count == 2 else { throw InputError("--compose takes two languages A,B, got '\(compose)'") }
            let composition = try HeadComposition.evaluate(session: folder, pair[0], pair[1], threads: threads)
            let rows = [["mask", "heads", "accuracy \(pair[0])", "accuracy \(pair[1])"]] + composition.rows.map {
                [$0.name, "\($0.heads)", String(format: "%.2f%%", $0.accuracy.0 * 100), String(format: "%.2f%%", $0.accuracy.1 * 100)]
            }
            blocks.append(("composition of \(pair[0]) and \(pair[1]) (masked-token accuracy)", rows))
        }
        let unfinished = records.values.filter { !$0.finished }.map(\.language).sorted()
        if !unfinished.isEmpty {
            FileHandle.standardError.write(Data("note: still being pruned (last accepted step shown): \(unfinished.joined(separator: ", "))\n".utf8))
        }
        for (index, (title, rows)) in blocks.enumerated() {
            if format == "csv" {
                print(TextTable.csv(rows), terminator: "")
            } else {
                print((index > 0 ? "\n" : "") + title)
                print(TextTable.render(rows), terminator: "")
            }
        }
    }
}
