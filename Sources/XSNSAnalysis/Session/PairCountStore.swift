import Foundation
import XSNSStorage

/// Writes the pair-count files (`PairCountFile`) of a session folder's runs, from one pass over the mask
/// indexes of a seed's runs at every p of `PairCountTable.ps` (`SubnetworkCollection.overlaps(ps:)`).
///
/// `compute` records each run as it finishes: its counts with every run of its seed that already has an
/// index. Of two runs finishing at once, the later to list the folder sees the other's index (each writes
/// its index before it lists), so every pair lands in at least one file. `xsns index` (and the
/// benchmark) complete a session made by an older version in one pass per seed.
public struct PairCountStore: Sendable {
    public let catalog: FisherCatalog

    public init(catalog: FisherCatalog) {
        self.catalog = catalog
    }

    /// Where the counts of the run indexed at `index` are kept.
    public static func url(forIndex index: URL) -> URL { PairCountFile.url(forIndex: index) }

    /// The counts of one run with the other runs of its seed. Returns the number of partners.
    @discardableResult
    public func record(language: String, seed: Int) throws -> Int {
        let languages = catalog.languages.filter { catalog.files[$0]?[seed] != nil }
        guard languages.contains(language) else { throw InputError(file: catalog.session.path, "no Fisher file for \(language) seed \(seed)") }
        let collection = try seedCollection(languages: languages, seed: seed)
        try write(collection, seed: seed, runs: [language], involving: language)
        return languages.count - 1
    }

    /// Writes the files of every seed where a run's own file is missing, stale or damaged, or the stored
    /// counts do not answer every pair; returns how many runs' files were written. `progress` is told
    /// (seed's position from 1, seeds, runs) before each seed that is written: a seed of 100 runs takes
    /// minutes.
    @discardableResult
    public func complete(progress: ((Int, Int, Int) -> Void)? = nil) throws -> Int {
        let seeds = Set(catalog.files.values.flatMap(\.keys)).sorted()
        var written = 0
        for (done, seed) in seeds.enumerated() {
            let languages = catalog.languages.filter { catalog.files[$0]?[seed] != nil }
            let collection = try seedCollection(languages: languages, seed: seed)
            let table = collection.pairCounts
            // Rewritten unless every run's own file is believed and together they answer every pair.
            if table.described[seed] != Set(languages)
                || table.overlaps(languages: languages, runs: collection.runs, p: PairCountTable.ps[0]) == nil {
                progress?(done + 1, seeds.count, languages.count)
                try write(collection, seed: seed, runs: languages, involving: nil)
                written += languages.count
            }
        }
        return written
    }

    /// The seed's runs only: the other seeds' indexes are neither opened nor built here.
    private func seedCollection(languages: [String], seed: Int) throws -> SubnetworkCollection {
        let opened = catalog.indexStore().openAll(languages.map { catalog.files[$0]![seed]! })
        var indexes: [String: [Int: SubnetworkIndex]] = [:]
        for (language, result) in zip(languages, opened) { indexes[language] = [seed: try result.get().index] }
        return try SubnetworkCollection(languages: languages, indexes: indexes)
    }

    /// A run's sub-network size at every p of the table, from its groups where a p keeps whole groups.
    private static func sizes(of index: SubnetworkIndex) throws -> [Int] {
        try PairCountTable.ps.map { p in try index.wholeGroupMask(p: p)?.size ?? index.subnetwork(p: p).size }
    }

    /// One pass at every p, then a file per run of `runs` with its counts against every other run.
    private func write(_ collection: SubnetworkCollection, seed: Int, runs: [String], involving: String?) throws {
        let languages = collection.languages
        // A seed's first run has no partner: its sizes need no pass (`sizes(of:)`).
        let overlaps = languages.count > 1 ? try collection.overlaps(ps: PairCountTable.ps, involving: involving) : []
        // Each run's layer sizes are a pass over its codes: the runs on every core.
        let layerSizes = try ParallelMap.map(runs.count) { job in
            Result { try collection.indexes[runs[job]]?[seed].map { try $0.layerSizes(ps: PairCountTable.ps, map: ParameterMap($0.layout)) } }
        }.map { try $0.get() }
        for (language, layerSizes) in zip(runs, layerSizes) {
            guard let index = collection.indexes[language]?[seed], let file = index.file, let digest = index.fisherDigest,
                  let layerSizes else { continue }
            let own = languages.firstIndex(of: language)!
            let partners = languages.indices.filter { $0 != own }.compactMap { other -> PairCountFile.Contents.Partner? in
                guard let partnerDigest = collection.indexes[languages[other]]?[seed]?.fisherDigest else { return nil }
                return PairCountFile.Contents.Partner(
                    language: languages[other], fisherSHA256: partnerDigest,
                    sizes: overlaps.map { $0.sizes[seed]![languages[other]]! },
                    counts: overlaps.map { $0.intersections[seed]![own][other]! })
            }
            let contents = PairCountFile.Contents(
                language: language, seed: seed, fisherSHA256: digest, ps: PairCountTable.ps,
                sizes: overlaps.isEmpty ? try Self.sizes(of: index) : overlaps.map { $0.sizes[seed]![language]! },
                layerSizes: layerSizes, partners: partners)
            let url = PairCountFile.url(forIndex: URL(fileURLWithPath: file))
            TemporaryName.removeAbandoned(in: url.deletingLastPathComponent())  // a killed writer's leftovers
            try PairCountFile.write(contents, to: url)
        }
    }
}
