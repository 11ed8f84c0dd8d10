import Foundation
import XSNSAnalysis
import XSNSProbe
import XSNSSession
import XSNSStorage

/// `prune-heads --objective task`: the session's probe task (`probe/task`, adapter and tagging head on the
/// session's model) judges each mask by its word accuracy on the language's dev treebank (the first
/// `--sentences` sentences, in file order, batches of `--batch-size`).
struct TaskObjective {
    let task: TaskModel
    let treebanks: TreebankFolder
    let adapterDigest: String

    init(session: URL, treebanks folder: URL, context: PruneHeadsJob.Context, threads: Int) throws {
        let paths = ProbePaths(session: session)
        guard FileManager.default.fileExists(atPath: paths.taskWeights.path) else {
            throw InputError(file: paths.taskWeights.path, "does not exist: --objective task needs the probe's task (xsns probe-task)")
        }
        task = try TaskModel(paths: paths, threads: threads)
        guard task.loaded.files.directory.standardizedFileURL == context.loaded.files.directory.standardizedFileURL else {
            throw InputError(file: paths.taskConfig.path, "the task was trained on \(task.record.options.model), not the session's model")
        }
        treebanks = try TreebankFolder(directory: folder)
        adapterDigest = try SHA256.hexDigest(ofFileAt: paths.taskWeights)
    }

    func files(_ language: String) throws -> [URL] {
        let files = treebanks.files(language, [.dev])
        guard !files.isEmpty else {
            throw InputError(file: treebanks.directory.path, "has no dev treebank of '\(language)' (<lang>*dev*.conllu)")
        }
        return files
    }

    /// The settings gain the treebanks' and the task's SHA-256 (a changed task is another pruning).
    func evaluator(_ language: String, settings: HeadPruningSettings) throws -> (HeadPruningSettings, PruneHeadsJob.Evaluator) {
        var settings = settings
        settings.corpus = try DigestCache.hexDigest(ofFilesAt: try files(language))
        settings.task = adapterDigest
        settings.maxLength = min(settings.maxLength, task.record.options.maxLength)
        let tagged = try treebanks.sentences(language, [.dev])
        let tokenizer = task.loaded.tokenizer, maxLength = settings.maxLength
        var sentences: [LabelledSentence] = []
        for sentence in tagged.prefix(settings.sentences) {
            let labelled = LabelledSentence(sentence, tokenizer: tokenizer, maxLength: maxLength)
            if !labelled.positions.isEmpty { sentences.append(labelled) }
        }
        guard !sentences.isEmpty else {
            throw InputError(file: treebanks.directory.path, "no word of '\(language)' survives tokenization")
        }
        let batches = XSNSPruning.batches(of: sentences, size: settings.batchSize)
        let model = task.model, head = task.head
        let evaluator = PruneHeadsJob.Evaluator(batches: batches.count) { mask, progress in
            let result = try head.evaluateHeads(model: model, batches, mask: mask)
            progress(batches.count)
            return result
        }
        return (settings, evaluator)
    }
}
