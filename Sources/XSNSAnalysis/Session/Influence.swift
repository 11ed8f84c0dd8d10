import CBLAS
import Foundation
import XSNSStorage

/// Cross-language gradient influence (Choenni et al., TracIn with random projections): each sentence's
/// sketch (`sketches/<lang>.seed<k>.safetensors`, `compute --sketch D`) is normalised to unit length; for
/// every sentence of a target t, the `m` sentences of the other languages with the highest cosine are its
/// most positively influential ones and the `m` with the lowest its most negatively influential ones.
/// influence+(s → t) is the share of those top-m positive sentences that come from s, averaged over t's
/// sentences (influence- likewise), per seed; then the mean over the seeds in which every language has
/// sketches (so each row still adds up to 1; while a computation runs, the seed covering most languages).
/// Matrices are [target][source] with no diagonal. A sentence that predicted nothing has a zero sketch and
/// takes no part.
public enum Influence {
    public struct Matrices: Sendable {
        public var positive: SimilarityMatrix
        public var negative: SimilarityMatrix
    }

    /// Unit rows of each language of one seed (zero rows dropped), D wide.
    public struct Sketches: Sendable {
        public var dimension: Int
        public var rows: [String: [Float]]

        public init(dimension: Int, rows: [String: [Float]]) {
            self.dimension = dimension
            self.rows = rows.mapValues { Self.unitRows($0, dimension: dimension) }
        }

        static func unitRows(_ values: [Float], dimension: Int) -> [Float] {
            var kept: [Float] = []
            for start in stride(from: 0, to: values.count, by: dimension) {
                let row = values[start..<(start + dimension)]
                let norm = row.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
                if norm > 0 { kept += row.map { Float(Double($0) / norm) } }
            }
            return kept
        }
    }

    /// Per-seed matrices and their mean, for the languages that have sketches for a seed.
    public static func matrices(catalog: FisherCatalog, languages: [String]? = nil, m: Int = 100) throws
        -> (mean: Matrices, perSeed: [Int: Matrices])
    {
        guard m > 0 else { throw InputError("--m must be positive, got \(m)") }
        let codes = languages ?? catalog.languages
        var loaded: [Int: Sketches] = [:]
        for seed in Set(codes.flatMap { (catalog.files[$0] ?? [:]).keys }).sorted() {
            if let sketches = try load(catalog: catalog, languages: codes, seed: seed) { loaded[seed] = sketches }
        }
        let everywhere = Set(loaded.values.flatMap(\.rows.keys))
        var seeds = loaded.keys.filter { Set(loaded[$0]!.rows.keys) == everywhere }
        if seeds.isEmpty, let widest = loaded.keys.sorted().max(by: { loaded[$0]!.rows.count < loaded[$1]!.rows.count }) {
            seeds = [widest]
        }
        var perSeed: [Int: Matrices] = [:]
        for seed in seeds { perSeed[seed] = shares(loaded[seed]!, m: m) }
        guard !perSeed.isEmpty else {
            throw InputError(file: catalog.session.path, "has no sentence sketches: compute the session with --sketch D")
        }
        let ordered = perSeed.keys.sorted().map { perSeed[$0]! }
        return (Matrices(positive: .mean(ordered.map(\.positive), languages: codes),
                         negative: .mean(ordered.map(\.negative), languages: codes)), perSeed)
    }

    /// The sketches of `seed` of every language that has them (nil when fewer than two languages do).
    static func load(catalog: FisherCatalog, languages: [String], seed: Int) throws -> Sketches? {
        var rows: [String: [Float]] = [:]
        var dimension: Int?
        for language in languages {
            // As SessionPaths.sketch names it (this module reads sessions without the session module).
            let url = catalog.session.appendingPathComponent("sketches/\(language).seed\(seed).safetensors")
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let file = try SafeTensorsFile(url: url)
            guard let info = file.info("sketch"), info.shape.count == 2, info.shape[1] > 0 else {
                throw InputError(file: url.path, "has no [sentences, D] tensor 'sketch'")
            }
            if let dimension, dimension != info.shape[1] {
                throw InputError(file: url.path, "has sketches of \(info.shape[1]) dimensions, other languages \(dimension)")
            }
            dimension = info.shape[1]
            rows[language] = try file.floats("sketch")
        }
        guard let dimension, rows.count >= 2 else { return nil }
        return Sketches(dimension: dimension, rows: rows)
    }

    /// influence+ and influence- of one seed's sketches.
    public static func shares(_ sketches: Sketches, m: Int) -> Matrices {
        let languages = sketches.rows.keys.sorted(), d = sketches.dimension
        let pool = languages.flatMap { sketches.rows[$0]! }
        let owner = languages.indices.flatMap { [Int](repeating: $0, count: sketches.rows[languages[$0]]!.count / d) }
        var positive = SimilarityMatrix(languages: languages), negative = SimilarityMatrix(languages: languages)
        for (t, target) in languages.enumerated() {
            let queries = sketches.rows[target]!
            let count = queries.count / d
            let candidates = owner.indices.filter { owner[$0] != t }
            guard count > 0, !candidates.isEmpty else { continue }
            let take = min(m, candidates.count)
            var tallies: [(plus: [Int], minus: [Int])] = []
            // Queries in blocks: a block's cosines with the whole pool, not every query's at once.
            for first in stride(from: 0, to: count, by: queryBlock) {
                let rows = min(queryBlock, count - first)
                let block = Array(queries[(first * d)..<((first + rows) * d)])
                let cosines = products(block, count: rows, pool: pool, dimension: d)
                tallies += ParallelMap.map(rows) { query -> (plus: [Int], minus: [Int]) in
                    let base = query * owner.count
                    func tally(_ best: [Int]) -> [Int] {
                        var counts = [Int](repeating: 0, count: languages.count)
                        for j in best { counts[owner[j]] += 1 }
                        return counts
                    }
                    return (tally(top(take, of: candidates) { cosines[base + $0] > cosines[base + $1] }),
                            tally(top(take, of: candidates) { cosines[base + $0] < cosines[base + $1] }))
                }
            }
            for (s, _) in languages.enumerated() where s != t {
                positive.values[t][s] = tallies.reduce(0.0) { $0 + Double($1.plus[s]) } / Double(take * count)
                negative.values[t][s] = tallies.reduce(0.0) { $0 + Double($1.minus[s]) } / Double(take * count)
            }
        }
        return Matrices(positive: positive, negative: negative)
    }

    /// Queries whose cosines with the pool are held at once (256 × 24k sentences: 25 MB).
    static let queryBlock = 256

    /// queries · poolᵀ, [count × pool rows], by OpenBLAS.
    static func products(_ queries: [Float], count: Int, pool: [Float], dimension d: Int) -> [Float] {
        let poolRows = pool.count / d
        var result = [Float](repeating: 0, count: count * poolRows)
        queries.withUnsafeBufferPointer { q in
            pool.withUnsafeBufferPointer { p in
                result.withUnsafeMutableBufferPointer { c in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(count), Int32(poolRows), Int32(d), 1,
                                q.baseAddress, Int32(d), p.baseAddress, Int32(d), 0, c.baseAddress, Int32(poolRows))
                }
            }
        }
        return result
    }

    /// The first `k` of `candidates` under `before` (a strict order; ties keep the lower index first),
    /// by a bounded insertion into a sorted buffer: O(n·k) worst case, O(n) when most candidates lose at once.
    static func top(_ k: Int, of candidates: [Int], before: (Int, Int) -> Bool) -> [Int] {
        var best: [Int] = []
        best.reserveCapacity(k + 1)
        for j in candidates {
            if best.count == k, let last = best.last, !before(j, last) { continue }
            var position = best.count
            while position > 0 && before(j, best[position - 1]) { position -= 1 }
            best.insert(j, at: position)
            if best.count > k { best.removeLast() }
        }
        return best
    }
}
