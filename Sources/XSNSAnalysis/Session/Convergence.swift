import Foundation
import XSNSStorage

/// How the sub-networks and the evaluation settle as the number of sentences grows (X-SNS, Fig. 6): for
/// each sentence count N kept by `compute --convergence` (`convergence/n<N>/`), the Jaccard of every run's
/// mask at N with its final mask (mean over runs), and, with gold, the ranking metrics of the matrices at
/// N — and the same for the final Fisher, as the last point.
public struct Convergence: Sendable {
    public struct Point: Sendable, Equatable {
        public let sentences: Int?
        /// Runs measured at this point.
        public let runs: Int
        public let jaccardToFinal: Double
        public let ndcg: Double?
        public let spearman: Double?
    }

    public let points: [Point]

    public init(session: URL, p: Double, gold: TransferTable?, k: Int = 3) throws {
        try AnalysisReports.validate(p: p)
        let folder = session.appendingPathComponent("convergence")
        let counts = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .compactMap { $0.hasPrefix("n") ? Int($0.dropFirst()) : nil }.sorted()
        guard !counts.isEmpty else {
            throw InputError(file: folder.path, "no convergence points; compute the session with --convergence")
        }
        let final = try SessionMasks(catalog: FisherCatalog(session: session), p: p)
        var points: [Point] = []
        for count in counts {
            let masks = try SessionMasks(catalog: FisherCatalog(session: session, folder: "convergence/n\(count)"), p: p)
            points.append(try Self.point(masks, final: final, sentences: count, gold: gold, k: k))
        }
        points.append(try Self.point(final, final: final, sentences: nil, gold: gold, k: k))
        self.points = points
    }

    private static func point(_ masks: SessionMasks, final: SessionMasks, sentences: Int?, gold: TransferTable?, k: Int) throws
        -> Point
    {
        var similarities: [Double] = []
        for (language, seeds) in masks.subnetworks {
            for (seed, mask) in seeds {
                guard let last = final.subnetworks[language]?[seed] else { continue }
                similarities.append(MaskMetric.jaccard.similarity(mask, last))
            }
        }
        var evaluation: TransferEvaluation?
        if let gold {
            let perSeed = masks.overlaps.matrices(metric: .jaccard).perSeed
            evaluation = try? TransferEvaluation.perSeed(perSeed.keys.sorted().compactMap { perSeed[$0] }, gold: gold, k: k)
        }
        return Point(sentences: sentences, runs: similarities.count,
                     jaccardToFinal: similarities.reduce(0, +) / Double(max(similarities.count, 1)),
                     ndcg: evaluation?.mean.ndcg, spearman: evaluation?.mean.spearman)
    }

    /// A table, CSV or JSON: one row per point (`final` for the finished runs).
    public func report(format: OutputFormat) -> String {
        switch format {
        case .json:
            return JSONValue.array(points.map { point in
                .object([("sentences", point.sentences.map { .integer($0) } ?? .string("final")),
                         ("runs", .integer(point.runs)), ("jaccard_to_final", .number(point.jaccardToFinal)),
                         ("ndcg", .optional(point.ndcg)), ("spearman", .optional(point.spearman))])
            }).rendered + "\n"
        case .csv, .table:
            let rows = [["sentences", "runs", "jaccard_to_final", "ndcg", "spearman"]] + points.map { point in
                [point.sentences.map(String.init) ?? "final", String(point.runs),
                 format == .csv ? NumberText.exact(point.jaccardToFinal) : NumberText.fixed(point.jaccardToFinal),
                 format == .csv ? point.ndcg.map(NumberText.exact) ?? "" : NumberText.fixed(point.ndcg),
                 format == .csv ? point.spearman.map(NumberText.exact) ?? "" : NumberText.fixed(point.spearman)]
            }
            return format == .csv ? TextTable.csv(rows) : TextTable.render(rows)
        }
    }
}
