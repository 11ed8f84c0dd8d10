import Foundation
import XSNSStorage

/// The LEX and EMB inputs that `xsns compute` stores beside the Fisher files:
/// `baselines/lex/<lang>.json` (`"counts": [[id, count], …]` over the whole corpus) and
/// `baselines/emb/<lang>.seed<k>.safetensors` (tensor `embedding`, the run's mean-pooled state).
extension FisherCatalog {
    /// The baseline's mean matrix over the session's languages, and one matrix per seed for EMB
    /// (LEX does not depend on the seed: its single matrix stands for every seed).
    public func baseline(_ metric: String) throws -> (mean: SimilarityMatrix, perSeed: [SimilarityMatrix]) {
        switch metric {
        case "lex":
            let matrix = try lexicalMatrix()
            return (matrix, [matrix])
        case "emb":
            return try embeddingMatrices()
        default:
            throw InputError("unknown baseline '\(metric)' (lex or emb)")
        }
    }

    private var baselineFolder: URL { session.appendingPathComponent("baselines") }

    private func lexicalMatrix() throws -> SimilarityMatrix {
        var counts: [String: [Int: Int]] = [:]
        for language in languages {
            let url = baselineFolder.appendingPathComponent("lex/\(language).json")
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw InputError(file: url.path, "no LEX counts for \(language); run xsns compute for it again")
            }
            counts[language] = try Self.lexicalCounts(url)
        }
        return Baselines.matrix(languages: languages) { a, b in
            guard let x = counts[a], let y = counts[b] else { return nil }
            return Baselines.lexicalSimilarity(x, y)
        }
    }

    static func lexicalCounts(_ url: URL) throws -> [Int: Int] {
        struct Form: Decodable { var counts: [[Int]] }
        let form: Form
        do {
            let data = try Data(contentsOf: url)
            // JSONDecoder (swift-foundation 6.3) traps instead of throwing when a document reaches its
            // 512-level nesting limit at its very last byte; JSONSerialization rejects that safely, so it screens first.
            guard (try? JSONSerialization.jsonObject(with: data)) != nil else { throw InputError(file: url.path, "not JSON") }
            form = try JSONDecoder().decode(Form.self, from: data)
        } catch {
            throw InputError(file: url.path, "not a LEX counts file written by xsns compute")
        }
        var counts: [Int: Int] = [:]
        // Every per-id sum and the similarity's total stay below this running total, so checking it
        // alone keeps the sums from wrapping (this module is compiled without overflow traps).
        var total = 0
        for pair in form.counts {
            guard pair.count == 2, pair[1] >= 0 else {
                throw InputError(file: url.path, "LEX counts must be [id, count] pairs")
            }
            let (newTotal, overflow) = total.addingReportingOverflow(pair[1])
            guard !overflow else { throw InputError(file: url.path, "LEX counts add up to more than \(Int.max)") }
            total = newTotal
            counts[pair[0], default: 0] += pair[1]
        }
        return counts
    }

    private func embeddingMatrices() throws -> (mean: SimilarityMatrix, perSeed: [SimilarityMatrix]) {
        var vectors: [Int: [String: [Double]]] = [:]
        for language in languages {
            for seed in (files[language] ?? [:]).keys {
                let url = baselineFolder.appendingPathComponent("emb/\(language).seed\(seed).safetensors")
                guard FileManager.default.fileExists(atPath: url.path) else {
                    throw InputError(file: url.path, "no EMB vector for \(language) seed \(seed); run xsns compute for it again")
                }
                vectors[seed, default: [:]][language] = try SafeTensorsFile(url: url).floats("embedding").map(Double.init)
            }
        }
        let perSeed = vectors.keys.sorted().map { seed in
            Baselines.matrix(languages: languages) { a, b in
                guard let x = vectors[seed]?[a], let y = vectors[seed]?[b] else { return nil }
                return Baselines.embeddingSimilarity(x, y)
            }
        }
        return (SimilarityMatrix.mean(perSeed, languages: languages), perSeed)
    }
}
