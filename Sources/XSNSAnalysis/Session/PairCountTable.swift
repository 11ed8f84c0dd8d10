import Foundation

/// The intersection counts stored beside a collection's mask indexes (`PairCountFile`), so that a p of
/// `ps` costs no pass over the codes at all: at paper scale such a pass reads every index (5.8 GB at 24
/// languages × 3 seeds of XLM-R-base; from disk when the page cache does not hold them). The counts were
/// made by that pass; a count is used only while both runs' Fisher files are the digests it was made
/// from, and a file that contradicts its own index or itself is ignored (its pairs take the pass).
struct PairCountTable: Sendable {
    /// The p that the files hold: every p of the index grid (every 0.005, finer towards both ends), so
    /// the workbench's + and -, the sweep and any p a user picks on the grid cost no pass.
    static let ps: [Double] = MaskGroups.grid

    private struct Key: Hashable {
        let seed: Int
        let a: String
        let b: String

        init(seed: Int, _ first: String, _ second: String) {
            self.seed = seed
            (a, b) = first < second ? (first, second) : (second, first)
        }
    }

    /// sizes[seed][language], one per p.
    private var sizes: [Int: [String: [Int]]] = [:]
    private var counts: [Key: [Int]] = [:]
    private var conflicting: Set<Key> = []
    /// The runs whose own file is present and believed ([seed]: languages).
    private(set) var described: [Int: Set<String>] = [:]
    /// layerSizes[seed][language][p][layer], from each run's own file.
    private var layerSizes: [Int: [String: [[Int]]]] = [:]

    /// The files beside the runs' index files that still describe them.
    init(runs: [GridOverlapSweep.Run]) {
        var digests: [Int: [String: String]] = [:]
        for run in runs { if let digest = run.index.fisherDigest { digests[run.seed, default: [:]][run.language] = digest } }
        for run in runs {
            guard let file = run.index.file, let digest = run.index.fisherDigest,
                  let contents = try? PairCountFile.read(PairCountFile.url(forIndex: URL(fileURLWithPath: file))),
                  contents.language == run.language, contents.seed == run.seed, contents.fisherSHA256 == digest,
                  contents.ps == Self.ps, Self.consistent(contents, with: run.index)
            else { continue }
            // Sizes are facts about one run: a file that disagrees with another about them is not used.
            func agrees(_ language: String, _ claimed: [Int]) -> Bool { sizes[run.seed]?[language].map { $0 == claimed } ?? true }
            let current = contents.partners.filter { digests[run.seed]?[$0.language] == $0.fisherSHA256 }
            guard agrees(run.language, contents.sizes), current.allSatisfy({ agrees($0.language, $0.sizes) }) else { continue }
            sizes[run.seed, default: [:]][run.language] = contents.sizes
            described[run.seed, default: []].insert(run.language)
            layerSizes[run.seed, default: [:]][run.language] = contents.layerSizes
            for partner in current {
                sizes[run.seed, default: [:]][partner.language] = partner.sizes
                let key = Key(seed: run.seed, run.language, partner.language)
                // Two files that disagree about a pair: neither is believed (the pair takes the pass).
                if let other = counts[key], other != partner.counts { conflicting.insert(key) }
                counts[key] = partner.counts
            }
        }
    }

    /// The overlaps at p of every same-seed pair of `runs`, or nil when p is not one of `ps` or some run or
    /// pair has no valid count.
    func overlaps(languages: [String], runs: [GridOverlapSweep.Run], p: Double) -> PairwiseOverlaps? {
        guard let slot = Self.ps.firstIndex(of: p) else { return nil }
        var runSizes: [Int: [String: Int]] = [:]
        for run in runs {
            guard let size = sizes[run.seed]?[run.language]?[slot] else { return nil }
            runSizes[run.seed, default: [:]][run.language] = size
        }
        let pairs = PairwiseOverlaps.pairs(languages: languages, sizes: runSizes)
        var pairCounts: [Int] = []
        pairCounts.reserveCapacity(pairs.count)
        for pair in pairs {
            let key = Key(seed: pair.seed, languages[pair.a], languages[pair.b])
            guard !conflicting.contains(key), let count = counts[key]?[slot] else { return nil }
            pairCounts.append(count)
        }
        return PairwiseOverlaps(languages: languages, sizes: runSizes, pairs: pairs, counts: pairCounts)
    }

    /// Each language's share of its sub-network in each encoder layer at p, averaged over its seeds in
    /// ascending order (the workbench's layer pane), or nil when some run's own file does not answer.
    func layerShares(runs: [GridOverlapSweep.Run], p: Double) -> [String: [Double]]? {
        guard let slot = Self.ps.firstIndex(of: p) else { return nil }
        var perSeed: [String: [[Double]]] = [:]
        for run in runs.sorted(by: { $0.seed < $1.seed }) {
            guard let layers = layerSizes[run.seed]?[run.language]?[slot], let size = sizes[run.seed]?[run.language]?[slot] else { return nil }
            perSeed[run.language, default: []].append(layers.map { size == 0 ? 0 : Double($0) / Double(size) })
        }
        return perSeed.mapValues { seeds in
            seeds[0].indices.map { layer in seeds.map { $0[layer] }.reduce(0, +) / Double(seeds.count) }
        }.filter { !$0.value.isEmpty }  // a model without encoder layers has no layer pane
    }

    /// The file agrees with itself and with the run's index: its sizes are those the index's groups give
    /// at every p masked from codes alone, sizes and counts grow with p, no count exceeds a size and the
    /// layers hold no more than the whole.
    private static func consistent(_ contents: PairCountFile.Contents, with index: SubnetworkIndex) -> Bool {
        func growing(_ values: [Int]) -> Bool { zip(values, values.dropFirst()).allSatisfy { $0 <= $1 } }
        guard contents.sizes.count == ps.count, growing(contents.sizes), contents.layerSizes.count == ps.count else { return false }
        let layers = contents.layerSizes[0].count
        guard contents.layerSizes.allSatisfy({ $0.count == layers }),
              zip(contents.layerSizes, contents.sizes).allSatisfy({ $0.allSatisfy { $0 >= 0 } && $0.reduce(0, +) <= $1 }),
              (0..<layers).allSatisfy({ layer in growing(contents.layerSizes.map { $0[layer] }) })
        else { return false }
        for (slot, p) in ps.enumerated() {
            if let mask = index.wholeGroupMask(p: p), mask.size != contents.sizes[slot] { return false }
        }
        return contents.partners.allSatisfy { partner in
            partner.sizes.count == ps.count && partner.counts.count == ps.count && growing(partner.sizes) && growing(partner.counts)
                && ps.indices.allSatisfy { partner.counts[$0] <= min(partner.sizes[$0], contents.sizes[$0]) }
        }
    }
}
