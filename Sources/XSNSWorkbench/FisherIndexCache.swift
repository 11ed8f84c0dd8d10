import Foundation
import XSNSAnalysis
import XSNSStorage

/// The mask indexes of a session's Fisher files (`MaskIndexStore`), each opened once: opening maps the
/// index file (no Fisher read) unless it is missing or stale, when it is built from the Fisher file and
/// saved. Masks at a new p then cost one pass over the mapped codes; only files that are new or replaced
/// are opened again. Every seed of every language is kept: an index is mapped, not held.
final class FisherIndexCache {
    private struct Signature: Equatable {
        let bytes: Int
        let modified: Date?
    }

    let session: URL
    private(set) var indexes: [String: [Int: SubnetworkIndex]] = [:]
    private var signatures: [String: [Int: Signature]] = [:]
    /// Unreadable files and why, so that an unchanged bad file is not read again at every refresh.
    private var failures: [URL: (signature: Signature, reason: String)] = [:]
    /// Fisher files read whole so far, to build their index (tests check that a new p reads none).
    private(set) var loads = 0
    /// Bumped whenever the set of indexes changes, so derived caches know they are stale.
    private(set) var generation = 0
    /// Files that could not be read, with the reason (they are left out, not fatal), and notes about
    /// rebuilt indexes.
    private(set) var problems: [String] = []

    /// Told (files done, files to open, whether any needed building) after each index a refresh opens,
    /// from worker threads, so that opening a large session can say what it is doing.
    var onProgress: (@Sendable (Int, Int, Bool) -> Void)?

    init(session: URL) {
        self.session = session
    }

    /// Picks up Fisher files that appeared, changed or vanished since the last call.
    func refresh() {
        let listed = (try? FisherCatalog(session: session).files) ?? [:]
        var changed = false
        var problems: [String] = []
        var pending: [(language: String, seed: Int, url: URL, signature: Signature)] = []
        for (language, seeds) in listed.sorted(by: { $0.key < $1.key }) {
            for (seed, url) in seeds.sorted(by: { $0.key < $1.key }) {
                let signature = Self.signature(url)
                if signatures[language]?[seed] == signature, indexes[language]?[seed] != nil { continue }
                if let failure = failures[url], failure.signature == signature {
                    problems.append(failure.reason)
                    continue
                }
                pending.append((language, seed, url, signature))
            }
        }
        let notes = NoteList()
        let store = MaskIndexStore(session: session, notes: { notes.append($0) })
        let building = NSLock()
        nonisolated(unsafe) var anyBuilt = false
        let progress = onProgress
        let opened = store.openAll(pending.map(\.url)) { done, total, built in
            let shown = building.withLock { anyBuilt = anyBuilt || built; return anyBuilt }
            progress?(done, total, shown)
        }.map { outcome in (outcome.map(\.index), (try? outcome.get().built) ?? true) }
        for (run, (result, built)) in zip(pending, opened) {
            if built { loads += 1 }
            switch result {
            case .success(let index):
                indexes[run.language, default: [:]][run.seed] = index
                signatures[run.language, default: [:]][run.seed] = run.signature
                failures[run.url] = nil
                changed = true
            case .failure(let error):
                let reason = "\(run.url.lastPathComponent): \(error)"
                failures[run.url] = (run.signature, reason)
                problems.append(reason)
                // A replaced file that no longer reads must not leave its old index behind.
                if indexes[run.language]?.removeValue(forKey: run.seed) != nil { changed = true }
                signatures[run.language]?[run.seed] = nil
            }
        }
        for (language, seeds) in indexes {
            for seed in seeds.keys where listed[language]?[seed] == nil {
                indexes[language]?[seed] = nil
                signatures[language]?[seed] = nil
                changed = true
            }
            if indexes[language]?.isEmpty == true { indexes[language] = nil }
        }
        self.problems = problems + notes.all
        if changed { generation += 1 }
    }

    var languages: [String] { indexes.keys.sorted() }

    /// All indexes as one collection; nil while there are none.
    func collection() throws -> SubnetworkCollection? {
        guard !indexes.isEmpty else { return nil }
        return try SubnetworkCollection(languages: languages, indexes: indexes)
    }

    private static func signature(_ url: URL) -> Signature {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        return Signature(
            bytes: (attributes?[.size] as? Int) ?? -1, modified: attributes?[.modificationDate] as? Date)
    }
}

/// Notes gathered from worker threads.
private final class NoteList: @unchecked Sendable {
    private let lock = NSLock()
    private var notes: [String] = []
    func append(_ note: String) { lock.withLock { notes.append(note) } }
    var all: [String] { lock.withLock { notes } }
}

