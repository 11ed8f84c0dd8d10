import Foundation
import XSNSStorage

/// A session's sub-networks at one p, for the one-shot commands: each run's mask comes from its
/// persistent index (`MaskIndexStore`; built once where missing), so no Fisher file is read whole. A
/// 24-language, 3-seed XLM-R-base session holds 72 × 10.6 MB of masks.
public struct SessionMasks: Sendable {
    public let languages: [String]
    public let layout: TensorLayout
    public let subnetworks: [String: [Int: Subnetwork]]
    /// Fisher mass per attention head (mean over seeds), when asked for and the head count is known.
    public let headMass: [String: HeadGrid]

    /// `seedAveraged`: one mask per language (key 0), of its Fisher averaged over seeds (read whole: the
    /// mean has no index).
    public init(
        catalog: FisherCatalog, p: Double, languages requested: [String]? = nil, seedAveraged: Bool = false,
        headMass wantHeads: Bool = false
    ) throws {
        try AnalysisReports.validate(p: p)
        let chosen = requested ?? catalog.languages
        let collection = try catalog.collection(languages: chosen, seedAveraged: seedAveraged)
        guard let layout = collection.layout else { throw InputError(file: catalog.session.path, "no Fisher vectors to analyse") }
        self.languages = chosen
        self.layout = layout
        subnetworks = try collection.subnetworks(p: p)
        guard wantHeads else {
            headMass = [:]
            return
        }
        headMass = collection.indexes.compactMapValues { seeds in
            let grids = seeds.keys.sorted().compactMap { seeds[$0]?.headMass }
            guard let first = grids.first else { return nil }
            return HeadGrid(first.values.indices.map { layer in
                first.values[layer].indices.map { head in grids.map { $0.values[layer][head] }.reduce(0, +) / Double(grids.count) }
            })
        }
    }

    public var seeds: [Int] { Array(Set(subnetworks.values.flatMap(\.keys))).sorted() }

    public var overlaps: PairwiseOverlaps { PairwiseOverlaps(languages: languages, subnetworks: subnetworks) }
}
