import Foundation
import XSNSStorage

/// `runs/<lang>.seed<k>.json`: one run's record and its corpus's fingerprint, beside session.json. Only
/// the run's claim holder changes a run (a holder that lost its claim writes nothing more), so two nodes
/// never write one of these at once; session.json, written by every
/// process, can lose an update where `flock` does not work across nodes, and these restore it on read.
enum RunStatusFiles {
    struct File: Codable {
        var run: RunRecord
        var corpus: FileFingerprint?
    }

    static func write(_ runs: [RunRecord], of manifest: SessionManifest, paths: SessionPaths) throws {
        guard !runs.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase  // as session.json
        try FileManager.default.createDirectory(at: paths.folder.appendingPathComponent("runs"), withIntermediateDirectories: true)
        for run in runs {
            let file = File(run: run, corpus: manifest.corpora?.files[run.language])
            try AtomicFile.write(try encoder.encode(file), to: paths.runStatus(language: run.language, seed: run.seed))
        }
    }

    /// Each run file's record replaces session.json's; a corpus the manifest lost is restored.
    static func overlay(on manifest: inout SessionManifest, paths: SessionPaths) {
        let folder = paths.folder.appendingPathComponent("runs")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let url = folder.appendingPathComponent(name)
            // A damaged copy is passed over rather than stopping every reader of the session (a whole
            // Slurm array, say): session.json keeps the run's record too.
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            guard let data = try? Data(contentsOf: url), let file = try? decoder.decodeScreened(File.self, from: data),
                  SessionPaths.isValidLanguage(file.run.language),
                  url.lastPathComponent == paths.runStatus(language: file.run.language, seed: file.run.seed).lastPathComponent
            else { continue }
            manifest.setRun(file.run)
            if let corpus = file.corpus, manifest.corpora?.files[file.run.language] == nil {
                manifest.corpora?.files[file.run.language] = corpus
            }
        }
    }
}
