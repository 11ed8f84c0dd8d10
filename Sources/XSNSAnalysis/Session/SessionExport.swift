import Foundation
import XSNSStorage

/// `xsns export`: a self-contained snapshot of a session's analysis at one p, for pasting into a paper.
public struct SessionExport: Sendable {
    public struct File: Sendable {
        public let path: String
        public let data: Data
    }

    /// A session's transfer probe, as far as it is measured (from `xsns probe`'s files).
    public struct Probe: Sendable {
        public struct Table: Sendable {
            public var steps: Int
            public var transfer: [String]
            public var targets: [String]
            /// [transfer][target]: Δ accuracy points, mean over the runs finished; nil before any.
            public var delta: [[Double?]]
            /// The gold-format table of the complete cells.
            public var csv: String?

            public init(steps: Int, transfer: [String], targets: [String], delta: [[Double?]], csv: String?) {
                self.steps = steps
                self.transfer = transfer
                self.targets = targets
                self.delta = delta
                self.csv = csv
            }
        }
        public var tables: [Table]
        /// Target → accuracy (0…1) of the unchanged model.
        public var original: [String: Double]

        public init(tables: [Table], original: [String: Double]) {
            self.tables = tables
            self.original = original
        }
    }

    public private(set) var files: [File] = []

    private mutating func add(_ path: String, _ text: String) { files.append(File(path: path, data: Data(text.utf8))) }

    /// Everything is computed before anything is written, so a failure leaves no partial export.
    /// `headFraction`: the share of all heads in each language's head mask (heads ranked by Fisher mass).
    public init(
        catalog: FisherCatalog, p: Double, gold: (name: String, table: TransferTable)? = nil, k: Int = 3,
        headFraction: Double = 0.25, probe: Probe? = nil
    ) throws {
        guard headFraction > 0, headFraction <= 1 else {
            throw InputError("--head-fraction must lie in (0, 1] (got \(headFraction))")
        }
        try AnalysisReports.validate(p: p)
        let manifest = catalog.session.appendingPathComponent("session.json")
        if let data = try? Data(contentsOf: manifest) { files.append(File(path: "session.json", data: data)) }

        let masks = try SessionMasks(catalog: catalog, p: p, headMass: true)
        let overlaps = masks.overlaps
        var matrices: [(String, SimilarityMatrix)] = []
        for metric in MaskMetric.allCases { matrices.append((metric.rawValue, overlaps.matrices(metric: metric).mean)) }
        for baseline in ["lex", "emb"] {
            if let matrix = try? catalog.baseline(baseline).mean { matrices.append((baseline, matrix)) }
        }
        for (name, matrix) in matrices {
            let pValue: Double? = MaskMetric(rawValue: name) == nil ? nil : p
            add("matrices/\(name).csv", AnalysisReports.matrix(matrix, metric: name, p: pValue, format: .csv))
            add("matrices/\(name).json", AnalysisReports.matrix(matrix, metric: name, p: pValue, format: .json))
            add("figures/heatmap-\(name).svg", SVGHeatmap.render(matrix, title: Self.title(name, p: pValue)))
            add("tables/matrix-\(name).tex", LaTeXTable.render(
                [[""] + matrix.languages] + zip(matrix.languages, matrix.values).map { [$0] + $1.map { NumberText.fixed($0, 3) } },
                caption: Self.title(name, p: pValue), label: "tab:xsns-\(name)"))
        }

        let jaccard = matrices[0].1
        var rankings: [(String, JSONValue)] = []
        for target in masks.languages {
            let ranking = Ranking(target: target, matrix: jaccard)
            add("rankings/\(target).csv", AnalysisReports.rank(ranking, metric: "jaccard", p: p, format: .csv))
            rankings.append((target, .array(ranking.candidates.map {
                .object([("language", .string($0.language)), ("score", .number($0.score))])
            })))
        }
        add("rankings.json", JSONValue.object([
            ("metric", .string("jaccard")), ("p", .number(p)), ("rankings", .object(rankings)),
        ]).rendered + "\n")

        let layers = LayerTables(masks)
        add("layers/share.csv", TextTable.csv(layers.shareRows(exact: true)))
        add("layers/jaccard-by-layer.csv", TextTable.csv(layers.pairLayerRows))
        add("layers/jaccard-by-component.csv", TextTable.csv(layers.pairComponentRows))
        add("tables/layer-share.tex", LaTeXTable.render(
            layers.shareRows(exact: false), caption: "Share of each language's sub-network per layer (p = \(NumberText.exact(p)))",
            label: "tab:xsns-layer-share"))

        if !masks.headMass.isEmpty {
            let tables = HeadTables(name: "fisher-mass", languages: masks.languages, scores: masks.headMass, fraction: headFraction)
            for (path, text) in tables.files(languages: masks.languages) { add(path, text) }
        }
        var importance: [String: HeadGrid] = [:]
        for language in masks.languages { importance[language] = try catalog.headImportance(language) }
        if !importance.isEmpty {
            let tables = HeadTables(name: "importance", languages: masks.languages, scores: importance, fraction: headFraction)
            for (path, text) in tables.files(languages: masks.languages) { add(path, text) }
        }

        var evaluation: TransferEvaluation?
        var regression: TransferRegression?
        if let gold {
            let perSeed = overlaps.matrices(metric: .jaccard).perSeed
            evaluation = try TransferEvaluation.perSeed(
                overlaps.seeds.compactMap { perSeed[$0] }, gold: gold.table, k: k)
            regression = TransferRegression(predictions: TransferTable(matrix: jaccard), gold: gold.table)
            if let evaluation {
                add("evaluation.json", AnalysisReports.evaluation(evaluation, regression: nil, format: .json))
                add("evaluation.csv", AnalysisReports.evaluation(evaluation, regression: nil, format: .csv))
                add("tables/evaluation.tex", LaTeXTable.render(
                    AnalysisReports.evaluationRows(evaluation),
                    caption: "Ranking sources by sub-network Jaccard against \(gold.name)", label: "tab:xsns-evaluation"))
            }
        }
        if let probe { addProbe(probe) }
        add("report.md", ExportReport(
            session: catalog.session.lastPathComponent, masks: masks, p: p, jaccard: jaccard,
            layers: layers, gold: gold?.name, evaluation: evaluation, regression: regression,
            files: files.map(\.path) + ["report.md"]).markdown)
    }

    /// `probe/transfer-N<N>.csv` (complete cells, gold format), `probe/original.csv`, and per N a figure and
    /// a LaTeX table of Δ: the mean of the runs finished so far, empty where none has.
    private mutating func addProbe(_ probe: Probe) {
        let targets = probe.original.keys.sorted()
        add("probe/original.csv", TextTable.csv([["target", "accuracy"]]
            + targets.map { [$0, NumberText.exact(probe.original[$0]!)] }))
        for table in probe.tables {
            if let csv = table.csv { add("probe/transfer-N\(table.steps).csv", csv) }
            let title = "Probe: accuracy change (points) after N = \(table.steps) MLM steps, transfer × target"
            add("figures/probe-N\(table.steps).svg", SVGHeatmap.render(
                rows: table.transfer, columns: table.targets, values: table.delta, title: title))
            add("tables/probe-N\(table.steps).tex", LaTeXTable.render(
                [["transfer"] + table.targets] + zip(table.transfer, table.delta).map { row, values in
                    [row] + values.map { $0.map { NumberText.fixed($0, 2) } ?? "" }
                }, caption: title, label: "tab:xsns-probe-N\(table.steps)"))
        }
    }

    static func title(_ metric: String, p: Double?) -> String {
        p.map { "\(metric) similarity of language sub-networks, p = \(NumberText.exact($0))" } ?? "\(metric) similarity"
    }

    /// Builds the folder under a temporary sibling name (every file fsynced) and renames it into place,
    /// replacing an earlier export only once the new one is complete.
    public func write(to destination: URL) throws {
        let manager = FileManager.default
        let parent = destination.deletingLastPathComponent()
        let token = "\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        let staging = parent.appendingPathComponent(".\(destination.lastPathComponent).tmp-\(token)")
        do {
            try manager.createDirectory(at: parent, withIntermediateDirectories: true)
            try manager.createDirectory(at: staging, withIntermediateDirectories: false)
        } catch {
            throw RuntimeFailure("\(destination.path): cannot create the export folder (\(error.localizedDescription))")
        }
        do {
            for file in files {
                let url = staging.appendingPathComponent(file.path)
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try AtomicFile.write(file.data, to: url)
            }
            var retired: URL?
            if manager.fileExists(atPath: destination.path) {
                retired = parent.appendingPathComponent(".\(destination.lastPathComponent).old-\(token)")
                try manager.moveItem(at: destination, to: retired!)
            }
            try manager.moveItem(at: staging, to: destination)
            if let retired { try? manager.removeItem(at: retired) }
        } catch {
            try? manager.removeItem(at: staging)
            if let failure = error as? RuntimeFailure { throw failure }
            throw RuntimeFailure("\(destination.path): cannot write the export (\(error.localizedDescription))")
        }
    }
}
