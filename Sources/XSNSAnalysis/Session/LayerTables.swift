/// Per-layer tables over all languages and pairs (means over the seeds each pair shares), for export.
struct LayerTables {
    let layerCount: Int
    let languages: [String]
    let shares: [String: [Double]]
    let pairs: [(a: String, b: String, view: PairLayerView)]

    init(_ masks: SessionMasks) {
        let map = ParameterMap(masks.layout)
        let subnetworks = masks.subnetworks
        layerCount = map.layerCount
        languages = masks.languages
        var shares: [String: [Double]] = [:]
        for language in languages {
            let perSeed = (subnetworks[language] ?? [:]).values.map { LayerViews.layerShare($0, map: map) }
            shares[language] = (0..<map.layerCount).map { layer in
                perSeed.isEmpty ? 0 : perSeed.map { $0[layer] }.reduce(0, +) / Double(perSeed.count)
            }
        }
        self.shares = shares
        var pairs: [(a: String, b: String, view: PairLayerView)] = []
        for (i, a) in languages.enumerated() {
            for b in languages[(i + 1)...] {
                let seeds = Set((subnetworks[a] ?? [:]).keys).intersection((subnetworks[b] ?? [:]).keys).sorted()
                let views = seeds.map { LayerViews.pair(subnetworks[a]![$0]!, subnetworks[b]![$0]!, map: map) }
                if let view = LayerViews.mean(views) { pairs.append((a, b, view)) }
            }
        }
        self.pairs = pairs
    }

    func shareRows(exact: Bool) -> [[String]] {
        [["language"] + (0..<layerCount).map { "L\($0)" }]
            + languages.map { language in
                [language] + (shares[language] ?? []).map { exact ? NumberText.exact($0) : NumberText.fixed($0, 3) }
            }
    }

    var pairLayerRows: [[String]] {
        [["a", "b"] + (0..<layerCount).map { "L\($0)" }]
            + pairs.map { [$0.a, $0.b] + $0.view.layers.map { $0.map(NumberText.exact) ?? "" } }
    }

    var pairComponentRows: [[String]] {
        [["a", "b"] + EncoderComponent.allCases.map(\.rawValue)]
            + pairs.map { pair in
                [pair.a, pair.b] + EncoderComponent.allCases.map { (pair.view.components[$0] ?? nil).map(NumberText.exact) ?? "" }
            }
    }
}
