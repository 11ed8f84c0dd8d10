import Foundation
import XSNSAnalysis
import XSNSStorage

/// The Fisher indexes of a session, each file read once. Building an index costs a full read of
/// the Fisher vector (hundreds of MB for a base model); masks at a new p then cost one pass over
/// the index, so the workbench keeps every index and only reads files that are new or replaced.
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
    /// Fisher files read so far (tests check that a new p reads none).
    private(set) var loads = 0
    /// Bumped whenever the set of indexes changes, so derived caches know they are stale.
    private(set) var generation = 0
    /// Files that could not be read, with the reason (they are left out, not fatal).
    private(set) var problems: [String] = []

    /// Told (files read, files to read) after each file a refresh reads, so that opening a large session
    /// can say what it is doing.
    var onProgress: ((Int, Int) -> Void)?

    /// Bytes of memory the indexes may take; an index holds about 5 bytes per Fisher value.
    let memoryBudget: Int

    init(session: URL, memoryBudget: Int = Int(ProcessInfo.processInfo.physicalMemory / 5 * 3)) {
        self.session = session
        self.memoryBudget = memoryBudget
    }

    static let bytesPerValue = 5

    /// Picks up Fisher files that appeared, changed or vanished since the last call.
    func refresh() {
        var listed = (try? FisherCatalog(session: session).files) ?? [:]
        var changed = false
        var problems: [String] = []
        // A large session (many languages × seeds of a base-size model) would not fit: keep one seed
        // per language rather than run out of memory, and say so.
        let needed = listed.values.flatMap(\.values).reduce(0) { total, url in
            total + max(0, Self.signature(url).bytes) / 4 * Self.bytesPerValue
        }
        if needed > memoryBudget {
            listed = listed.mapValues { seeds in
                seeds.min { $0.key < $1.key }.map { [$0.key: $0.value] } ?? [:]
            }
            problems.append(String(
                format: "every seed of every language would need %.1f GB of memory for the indexes (budget %.1f GB): "
                    + "showing the first seed of each language; `xsns matrix` and `xsns eval` use every seed",
                Double(needed) / 1e9, Double(memoryBudget) / 1e9))
        }
        let toRead = listed.reduce(0) { total, entry in
            total + entry.value.filter { seed, url in
                !(signatures[entry.key]?[seed] == Self.signature(url) && indexes[entry.key]?[seed] != nil)
                    && failures[url]?.signature != Self.signature(url)
            }.count
        }
        var read = 0
        for (language, seeds) in listed {
            for (seed, url) in seeds {
                let signature = Self.signature(url)
                if signatures[language]?[seed] == signature, indexes[language]?[seed] != nil { continue }
                if let failure = failures[url], failure.signature == signature {
                    problems.append(failure.reason)
                    continue
                }
                defer {
                    read += 1
                    onProgress?(read, toRead)
                }
                do {
                    loads += 1
                    let index = try SubnetworkIndex(FisherCatalog.load(url), source: url.path)
                    indexes[language, default: [:]][seed] = index
                    signatures[language, default: [:]][seed] = signature
                    failures[url] = nil
                    changed = true
                } catch {
                    let reason = "\(url.lastPathComponent): \(error)"
                    failures[url] = (signature, reason)
                    problems.append(reason)
                    // A replaced file that no longer reads must not leave its old index behind.
                    if indexes[language]?.removeValue(forKey: seed) != nil { changed = true }
                    signatures[language]?[seed] = nil
                }
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
        self.problems = problems
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
