import Foundation
import XSNSCluster
import XSNSCompute
import XSNSSession
import XSNSTUI

/// The Languages view's rows as the session folder records them: every planned or computed
/// language, its corpus size, and its status and per-seed counts from `session.json`.
struct SessionLanguages {
    let store: SessionStore
    /// Where `<lang>.txt` files are looked for when the manifest names no corpus folder.
    let corpora: URL?
    /// Languages lines are counted for once: corpus files are read whole.
    private var corpusSizes: [String: Int] = [:]
    /// What other processes and the Slurm queue say of the runs, asked at most every `remoteInterval`.
    private var remote: (asked: Date, runs: [SessionStatus.Run])?
    static let remoteInterval: TimeInterval = 5

    init(store: SessionStore, corpora: URL?) {
        self.store = store
        self.corpora = corpora
    }

    /// Rows for `planned` plus every language the manifest knows, sorted by code. `computing`
    /// names the languages of a job that is running now: their unfinished runs show as running.
    mutating func infos(planned: [String], computing: Set<String>) -> [LanguageInfo] {
        let manifest = try? store.load()
        let elsewhere = remoteRuns()
        let known = Set(planned).union(manifest?.runs.map(\.language) ?? [])
            .union(manifest?.corpora?.files.keys.map { $0 } ?? [])
        let seeds = manifest?.options?.seeds ?? []
        let directory = corpora ?? manifest?.corpora.map { URL(fileURLWithPath: $0.directory) }
        return known.sorted().map { code in
            let size = corpusSize(code, directory: directory, fields: manifest?.options?.corpusFields ?? CorpusFields())
            let runs = manifest?.runs.filter { $0.language == code } ?? []
            let planned = min(manifest?.options?.sentences ?? size, size)
            let runSeeds = seeds + runs.map(\.seed).filter { !seeds.contains($0) }
            let progress = runSeeds.map { seed -> SeedProgress in
                let run = runs.first { $0.seed == seed }
                let total = run?.status == .done ? run?.sentences ?? planned : planned
                return SeedProgress(seed: seed, sentencesDone: run?.sentences ?? 0, sentencesTotal: total)
            }
            let measured = runs.compactMap(\.stability)
            var info = LanguageInfo(
                code: code, name: LanguageNames.name(code), corpusSentences: size,
                status: Self.status(runs: runs, seeds: runSeeds, computing: computing.contains(code)),
                seeds: progress,
                stability: measured.isEmpty ? nil : measured.reduce(0, +) / Double(measured.count),
                failure: runs.first { $0.status == .failed }?.message)
            if !computing.contains(code), info.status != .done {
                Self.mark(&info, elsewhere: elsewhere.filter { $0.language == code })
            }
            return info
        }
    }

    /// Runs computed by another process (here or on another node) or waiting in the Slurm queue.
    static func mark(_ info: inout LanguageInfo, elsewhere runs: [SessionStatus.Run]) {
        if let running = runs.first(where: { $0.state == .running }) {
            info.status = .running
            info.elsewhere = "seed \(running.seed) " + (running.detail.map { "by \($0)" } ?? "elsewhere")
        } else {
            let queued = runs.filter { $0.state == .queued }
            guard let first = queued.first else { return }
            info.status = .queued
            info.elsewhere = queued.count == 1 ? (first.detail ?? "queued") : "\(queued.count) seeds queued on Slurm"
        }
    }

    private mutating func remoteRuns() -> [SessionStatus.Run] {
        if let remote, Date().timeIntervalSince(remote.asked) < Self.remoteInterval { return remote.runs }
        let runs = (try? SessionStatus.withQueue(store: store))?.status.runs ?? []
        remote = (Date(), runs)
        return runs
    }

    static func status(runs: [RunRecord], seeds: [Int], computing: Bool) -> LanguageInfo.Status {
        let done = seeds.allSatisfy { seed in runs.contains { $0.seed == seed && $0.status == .done } }
        if !seeds.isEmpty && done { return .done }
        if runs.contains(where: { $0.status == .failed }) { return .failed }
        if computing { return .running }
        return runs.contains { $0.sentences > 0 || $0.status == .done } ? .paused : .pending
    }

    private mutating func corpusSize(_ code: String, directory: URL?, fields: CorpusFields) -> Int {
        if let known = corpusSizes[code] { return known }
        guard let directory else { return 0 }
        let file = (try? CorpusFiles.url(in: directory, language: code)) ?? nil
        let size = file.flatMap { try? Corpus.load($0, fields: Corpus.holdsRecords($0) ? fields : CorpusFields()).lines.count } ?? 0
        corpusSizes[code] = size
        return size
    }
}
