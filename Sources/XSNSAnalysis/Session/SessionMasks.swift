import Foundation
import XSNSStorage

/// A session's sub-networks at one p, computed file by file: each Fisher vector is read, masked and
/// released, so memory holds at most one vector per core plus the bitsets (a 20-language, 3-seed
/// XLM-R session is ~20 GB of Fisher but 640 MB of masks). One-shot commands use this; the TUI keeps a
/// `SubnetworkCollection` instead, for instant changes of p.
public struct SessionMasks: Sendable {
    public let languages: [String]
    public let layout: TensorLayout
    public let subnetworks: [String: [Int: Subnetwork]]
    /// Fisher mass per attention head (mean over seeds), when asked for and the head count is known.
    public let headMass: [String: HeadGrid]

    /// `seedAveraged`: one mask per language (key 0), of its Fisher averaged over seeds.
    public init(
        catalog: FisherCatalog, p: Double, languages requested: [String]? = nil, seedAveraged: Bool = false,
        headMass wantHeads: Bool = false
    ) throws {
        try AnalysisReports.validate(p: p)
        let chosen = requested ?? catalog.languages
        for language in chosen { try catalog.require(language) }
        let jobs: [(language: String, seed: Int, files: [URL])] = chosen.flatMap { language in
            let seeds = catalog.files[language] ?? [:]
            if seedAveraged { return [(language, 0, seeds.keys.sorted().compactMap { seeds[$0] })] }
            return seeds.keys.sorted().compactMap { seed in seeds[seed].map { (language, seed, [$0]) } }
        }
        let results = ParallelMap.map(jobs.count) { job -> Result<(Subnetwork, TensorLayout, HeadGrid?), any Error> in
            Result {
                let vectors = try jobs[job].files.map(FisherCatalog.load)
                let fisher = vectors.count == 1 ? vectors[0] : try FlatTensors.mean(vectors)
                let subnetwork = try Subnetwork(fisher: fisher.values, p: p, source: jobs[job].files.first?.path)
                let map = ParameterMap(fisher.layout)
                let heads = wantHeads
                    ? try map.defaultHeadCount.map { try HeadViews.fisherMass(fisher, map: map, heads: $0) } : nil
                return (subnetwork, fisher.layout, heads)
            }
        }
        var subnetworks: [String: [Int: Subnetwork]] = [:]
        var grids: [String: [HeadGrid]] = [:]
        var layout: TensorLayout?
        for (job, result) in zip(jobs, results) {
            let (subnetwork, jobLayout, heads) = try result.get()
            if let layout, layout != jobLayout {
                throw InputError(file: job.files.first?.path, "its tensors differ from the session's other Fisher files")
            }
            layout = jobLayout
            subnetworks[job.language, default: [:]][job.seed] = subnetwork
            if let heads { grids[job.language, default: []].append(heads) }
        }
        guard let layout else { throw InputError(file: catalog.session.path, "no Fisher vectors to analyse") }
        self.languages = chosen
        self.layout = layout
        self.subnetworks = subnetworks
        headMass = grids.mapValues { grids in
            HeadGrid(grids[0].values.indices.map { layer in
                grids[0].values[layer].indices.map { head in
                    grids.map { $0.values[layer][head] }.reduce(0, +) / Double(grids.count)
                }
            })
        }
    }

    public var seeds: [Int] { Array(Set(subnetworks.values.flatMap(\.keys))).sorted() }

    public var overlaps: PairwiseOverlaps { PairwiseOverlaps(languages: languages, subnetworks: subnetworks) }
}
