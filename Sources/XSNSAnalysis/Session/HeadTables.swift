/// Head-level views over all languages for export (Choenni et al.): Fisher mass per head, each language's
/// head mask at a fraction, how many languages use each head, and the cosine of head masks.
struct HeadTables {
    let fraction: Double
    let heads: Int
    let mass: [String: HeadGrid]
    let usage: [[Int]]
    let cosine: SimilarityMatrix

    /// nil when the head count cannot be derived from the tensors (hidden size not a multiple of 64).
    init?(collection: SubnetworkCollection, fraction: Double) throws {
        guard let layout = collection.layout, let heads = ParameterMap(layout).defaultHeadCount else { return nil }
        let map = ParameterMap(layout)
        var mass: [String: HeadGrid] = [:]
        for language in collection.languages {
            // Mean over seeds of each head's mass.
            let grids = try (collection.indexes[language] ?? [:]).values.map {
                try HeadViews.fisherMass($0.fisher, map: map, heads: heads)
            }
            guard let first = grids.first else { continue }
            mass[language] = HeadGrid(first.values.indices.map { layer in
                (0..<heads).map { head in grids.map { $0.values[layer][head] }.reduce(0, +) / Double(grids.count) }
            })
        }
        let masks = collection.languages.compactMap { mass[$0]?.mask(fraction: fraction) }
        let byLanguage = Dictionary(uniqueKeysWithValues: zip(collection.languages, masks))
        self.fraction = fraction
        self.heads = heads
        self.mass = mass
        usage = HeadMask.usage(masks)
        cosine = Baselines.matrix(languages: collection.languages) { a, b in
            guard let x = byLanguage[a], let y = byLanguage[b] else { return nil }
            return x.cosine(y)
        }
    }

    func massRows(_ language: String) -> [[String]] {
        guard let grid = mass[language] else { return [] }
        return [["layer"] + (0..<heads).map { "h\($0)" }]
            + grid.values.enumerated().map { [String($0.offset)] + $0.element.map(NumberText.exact) }
    }

    var usageRows: [[String]] {
        [["layer"] + (0..<heads).map { "h\($0)" }] + usage.enumerated().map { [String($0.offset)] + $0.element.map(String.init) }
    }
}
