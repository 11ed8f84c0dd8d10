import Foundation
import XSNSAnalysis
import XSNSEngine
import XSNSStorage

/// Sparse fine-tuning (Choenni et al.): only a language's sub-network may change; every other parameter
/// — the rest of θ, embeddings, MLM head — keeps its exact value, whatever `--train` says.
/// - `--sparse-mask SESSION:LANG:P`: the session's mask of LANG at p, of its Fisher averaged over seeds
///   (what the workbench shows for that language).
/// - `--head-mask SESSION:LANG:F`: the fraction F of all attention heads with the highest importance
///   E|∂L/∂ξ_h| for LANG (mean over seeds; the Heads view's mask). Each kept head's parameters change:
///   its rows of the query, key and value weights and biases and its columns of the attention output.
///   The mask restricts the update only; the forward pass keeps every head.
/// - `--head-mask SESSION:LANG`: LANG's pruned sub-network (`xsns prune-heads`). The same update
///   restriction, and the pruned heads are switched off in the forward pass too, as the pruning judged them.
public struct SparseMaskSpec: Codable, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable { case fisher, heads }

    public var kind: Kind
    public var session: String
    public var language: String
    /// p for a Fisher mask, the kept fraction of heads for a head mask; nil for a pruned head mask.
    public var fraction: Double?

    /// Split from the right, so a session path may itself contain ':'. A head mask without a last numeric
    /// part is the pruned one.
    public init(parsing text: String, kind: Kind) throws {
        let flag = kind == .fisher ? "--sparse-mask SESSION:LANG:P" : "--head-mask SESSION:LANG[:F]"
        var parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        // A last part made of digits and the like is a fraction (mistyped or not), never a language code.
        let last = parts.last ?? ""
        let numeric = parts.count >= 3 && !last.isEmpty && last.allSatisfy { "0123456789.,eE+-".contains($0) }
        let fraction = numeric ? Double(last) : nil
        if numeric || kind == .fisher { parts.removeLast(min(1, parts.count)) }
        guard parts.count >= 2, !parts[parts.count - 1].isEmpty, !parts[..<(parts.count - 1)].joined().isEmpty,
              kind == .heads || fraction != nil, !numeric || fraction != nil
        else { throw InputError("\(flag) (for example demo:fi:0.1), got '\(text)'") }
        if let fraction, !(fraction > 0 && fraction < 1) {
            throw InputError("\(flag): the last part must lie in (0, 1), got \(fraction)")
        }
        self.kind = kind
        session = parts[..<(parts.count - 1)].joined(separator: ":")
        language = parts[parts.count - 1]
        self.fraction = fraction
    }

    public var description: String { "\(session):\(language)" + (fraction.map { ":\($0)" } ?? "") }

    /// What the spec restricts: one byte per parameter of the block (1 = may change), how many may change,
    /// and for a pruned head mask the forward head mask ([layers × heads], 0 = off).
    public struct Restriction {
        public var mask: [UInt8]
        public var kept: Int
        public var forwardHeadMask: [Float]?
    }

    /// One byte per parameter of `parameters`' block (1 = may change), and how many may change.
    /// `directory` resolves a bare session name as `--session` does (`Sessions/NAME` under it).
    public func updateMask(for parameters: EncoderParameters, directory: URL) throws -> Restriction {
        let sessionURL = FisherCatalog.sessionURL(session, in: directory)
        if kind == .heads, fraction == nil { return try prunedHeads(for: parameters, session: sessionURL) }
        let catalog = try FisherCatalog(session: sessionURL)
        try catalog.require(language)
        var mask = [UInt8](repeating: 0, count: parameters.layout.totalCount)
        switch kind {
        case .fisher:
            let fraction = fraction ?? 0
            let masks = try SessionMasks(catalog: catalog, p: fraction, languages: [language], seedAveraged: true)
            guard masks.layout == parameters.thetaLayout, let subnetwork = masks.subnetworks[language]?[0] else {
                throw InputError(file: catalog.session.path, "its Fisher files cover other tensors than this model's "
                                 + "encoder layers; compute the session with the model being trained")
            }
            let start = parameters.thetaRange.lowerBound
            for (word, bits) in subnetwork.bits.words.enumerated() where bits != 0 {
                for bit in 0..<64 where bits & (1 << UInt64(bit)) != 0 { mask[start + word << 6 + bit] = 1 }
            }
            return Restriction(mask: mask, kept: subnetwork.size)
        case .heads:
            guard let importance = try catalog.headImportance(language) else {
                throw InputError(file: catalog.session.path, "has no head importance for \(language) (heads/ folder)")
            }
            let config = parameters.config
            guard importance.layerCount == config.numLayers, importance.headCount == config.numHeads else {
                throw InputError(file: catalog.session.path, "its head importance is \(importance.layerCount) × "
                                 + "\(importance.headCount) heads, the model has \(config.numLayers) × \(config.numHeads)")
            }
            return Self.restriction(to: importance.mask(fraction: fraction ?? 0), parameters)
        }
    }

    private func prunedHeads(for parameters: EncoderParameters, session: URL) throws -> Restriction {
        let url = session.appendingPathComponent("pruning/\(language).json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw InputError(file: session.path, "has no pruned heads for '\(language)': run xsns prune-heads first")
        }
        let record = try HeadPruningRecord.load(url)
        guard record.finished else { throw InputError(file: url.path, "is not finished: run xsns prune-heads again first") }
        let config = parameters.config
        guard record.layers == config.numLayers, record.heads == config.numHeads else {
            throw InputError(file: url.path, "prunes \(record.layers) × \(record.heads) heads, the model has "
                             + "\(config.numLayers) × \(config.numHeads)")
        }
        var restriction = Self.restriction(to: record.subnetwork, parameters)
        restriction.forwardHeadMask = record.subnetwork.used.flatMap { $0.map { $0 ? 1 : 0 } }
        return restriction
    }

    /// Each enabled head's rows of Q, K, V (and biases) and columns of the attention output.
    private static func restriction(to heads: HeadMask, _ parameters: EncoderParameters) -> Restriction {
        var mask = [UInt8](repeating: 0, count: parameters.layout.totalCount)
        var kept = 0
        for (layer, row) in heads.used.enumerated() {
            for (head, used) in row.enumerated() where used {
                for range in parameters.ranges(ofHead: head, layer: layer) {
                    for i in range { mask[i] = 1 }
                    kept += range.count
                }
            }
        }
        return Restriction(mask: mask, kept: kept)
    }
}
