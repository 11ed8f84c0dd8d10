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
            counts[language] = try LexicalCounts.load(url).countByID(file: url.path)
        }
        return Baselines.matrix(languages: languages) { a, b in
            guard let x = counts[a], let y = counts[b] else { return nil }
            return Baselines.lexicalSimilarity(x, y)
        }
    }

    private func embeddingMatrices() throws -> (mean: SimilarityMatrix, perSeed: [SimilarityMatrix]) {
        var vectors: [Int: [String: [Double]]] = [:]
        for language in languages {
            for seed in (files[language] ?? [:]).keys {
                let url = baselineFolder.appendingPathComponent("emb/\(language).seed\(seed).safetensors")
                guard FileManager.default.fileExists(atPath: url.path) else {
                    throw InputError(file: url.path, "no EMB vector for \(language) seed \(seed) (a session computed "
                                     + "with --no-emb has none; otherwise run xsns compute for it again)")
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
