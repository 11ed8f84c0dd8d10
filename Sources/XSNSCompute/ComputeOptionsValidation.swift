import XSNSEngine
import XSNSSession
import XSNSStorage

extension ComputeOptions {
    /// `xsns compute`'s defaults (DESIGN.md); threads: every core the process may use (`ThreadBudget`).
    public static let defaults = ComputeOptions(
        sentences: 1024, seeds: [42, 16, 10], estimator: FisherEstimatorKind.xsns.rawValue, batchSize: 4,
        maxLength: 512, maskProbability: 0.15, recordInputs: false, threads: ThreadBudget.available)

    public var estimatorKind: FisherEstimatorKind? { FisherEstimatorKind(rawValue: estimator) }

    /// Where `.jsonl`/`.tsv` corpora keep the text and the second segment.
    public var corpusFields: CorpusFields { CorpusFields(text: textField ?? "text", pair: pairField) }

    /// `mlm`, or `random-head:<level>:<labels>`: what the Fisher is the information of.
    public var objectiveDescription: String {
        objective == "random-head" ? "random-head:\(headLevel ?? "token"):\(numLabels ?? 0)" : "mlm"
    }

    /// The Fisher objective of the run with `seed` (a random head is drawn from the seed: every language of
    /// a seed gets the same head).
    public func fisherObjective(hidden: Int, seed: Int) throws -> FisherObjective {
        guard objective == "random-head", let numLabels else { return .maskedLM }
        return .randomHead(try RandomClassificationHead(
            labels: numLabels, hidden: hidden, level: RandomClassificationHead.Level(rawValue: headLevel ?? "token") ?? .token,
            seed: UInt64(seed)))
    }

    /// Rejects values no run could use, naming the option.
    public func validate() throws {
        guard sentences > 0 else { throw InputError("--sentences must be at least 1") }
        guard !seeds.isEmpty else { throw InputError("--seeds needs at least one seed") }
        guard Set(seeds).count == seeds.count else { throw InputError("--seeds lists a seed twice") }
        guard seeds.allSatisfy({ $0 >= 0 }) else { throw InputError("--seeds must be non-negative") }
        guard estimatorKind != nil else {
            throw InputError("--estimator must be one of: "
                + FisherEstimatorKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard batchSize >= 1 else { throw InputError("--batch-size must be at least 1") }
        guard maxLength >= 3 else { throw InputError("--max-length must be at least 3") }
        guard maskProbability > 0, maskProbability < 1 else {
            throw InputError("--mask-prob must be between 0 and 1 (exclusive)")
        }
        guard (1...256).contains(threads) else { throw InputError("--threads must be between 1 and 256") }
        switch objective ?? "mlm" {
        case "mlm":
            guard numLabels == nil, headLevel == nil else { throw InputError("--num-labels and --head-level go with --objective random-head") }
        case "random-head":
            guard let numLabels, numLabels >= 2 else { throw InputError("--objective random-head needs --num-labels K (at least 2)") }
            guard RandomClassificationHead.Level(rawValue: headLevel ?? "token") != nil else {
                throw InputError("--head-level must be token or sequence, got '\(headLevel ?? "")'")
            }
        default:
            throw InputError("--objective must be mlm or random-head, got '\(objective ?? "")'")
        }
        if let sketch {
            let side = Int(Double(sketch).squareRoot().rounded())
            guard sketch > 0, side * side == sketch, sketch <= 1 << 16 else {
                throw InputError("--sketch must be a square number up to 65536 (256, 1024, 4096…), got \(sketch)")
            }
        }
    }

    /// The options that change Fisher values: a session keeps one setting of them for all its runs.
    func conflicts(with recorded: ComputeOptions) -> [String] {
        var differences: [String] = []
        func check<T: Equatable>(_ name: String, _ mine: T, _ theirs: T) {
            if mine != theirs { differences.append("\(name) \(theirs) (now \(mine))") }
        }
        check("--sentences", sentences, recorded.sentences)
        check("--estimator", estimator, recorded.estimator)
        check("--batch-size", batchSize, recorded.batchSize)
        check("--max-length", maxLength, recorded.maxLength)
        check("--mask-prob", maskProbability, recorded.maskProbability)
        check("--no-emb", !computesEmbedding, !recorded.computesEmbedding)
        check("--sketch", sketch ?? 0, recorded.sketch ?? 0)
        check("--objective", objectiveDescription, recorded.objectiveDescription)
        check("--text-field", textField ?? "text", recorded.textField ?? "text")
        check("--pair-field", pairField ?? "", recorded.pairField ?? "")
        return differences
    }
}
