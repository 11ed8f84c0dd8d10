/// Head-level views over all languages for export (Choenni et al.): a score per head (Fisher mass, or
/// the engine's head importance), each language's head mask at a fraction, how many languages use each
/// head, and the cosine of head masks.
struct HeadTables {
    let name: String
    let fraction: Double
    let scores: [String: HeadGrid]
    let usage: [[Int]]
    let cosine: SimilarityMatrix

    init(name: String, languages: [String], scores: [String: HeadGrid], fraction: Double) {
        let masks = Dictionary(uniqueKeysWithValues: languages.compactMap { language in
            scores[language].map { (language, $0.mask(fraction: fraction)) }
        })
        self.name = name
        self.fraction = fraction
        self.scores = scores
        usage = HeadMask.usage(languages.compactMap { masks[$0] })
        cosine = Baselines.matrix(languages: languages) { a, b in
            guard let x = masks[a], let y = masks[b] else { return nil }
            return x.cosine(y)
        }
    }

    func scoreRows(_ language: String) -> [[String]] {
        guard let grid = scores[language] else { return [] }
        return [["layer"] + (0..<grid.headCount).map { "h\($0)" }]
            + grid.values.enumerated().map { [String($0.offset)] + $0.element.map(NumberText.exact) }
    }

    var usageRows: [[String]] {
        let heads = usage.first?.count ?? 0
        return [["layer"] + (0..<heads).map { "h\($0)" }] + usage.enumerated().map { [String($0.offset)] + $0.element.map(String.init) }
    }

    /// Files under `heads/` and the cosine heatmap.
    func files(languages: [String]) -> [(String, String)] {
        var files: [(String, String)] = languages.filter { scores[$0] != nil }.map {
            ("heads/\(name)-\($0).csv", TextTable.csv(scoreRows($0)))
        }
        files.append(("heads/usage-by-\(name).csv", TextTable.csv(usageRows)))
        files.append(("heads/cosine-by-\(name).csv", AnalysisReports.matrix(cosine, metric: "head-cosine", p: nil, format: .csv)))
        files.append(("figures/heatmap-head-cosine-by-\(name).svg", SVGHeatmap.render(
            cosine, title: "Cosine of head masks (top \(NumberText.exact(fraction)) of heads by \(name))")))
        return files
    }
}
