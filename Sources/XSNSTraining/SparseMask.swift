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
public struct SparseMaskSpec: Codable, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable { case fisher, heads }

    public var kind: Kind
    public var session: String
    public var language: String
    /// p for a Fisher mask, the kept fraction of heads for a head mask.
    public var fraction: Double

    /// Split from the right, so a session path may itself contain ':'.
    public init(parsing text: String, kind: Kind) throws {
        let flag = kind == .fisher ? "--sparse-mask SESSION:LANG:P" : "--head-mask SESSION:LANG:F"
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3, let fraction = Double(parts[parts.count - 1]),
            !parts[parts.count - 2].isEmpty, !parts[..<(parts.count - 2)].joined().isEmpty
        else { throw InputError("\(flag) (for example demo:fi:0.1), got '\(text)'") }
        guard fraction > 0, fraction < 1 else { throw InputError("\(flag): the last part must lie in (0, 1), got \(fraction)") }
        self.kind = kind
        session = parts[..<(parts.count - 2)].joined(separator: ":")
        language = String(parts[parts.count - 2])
        self.fraction = fraction
    }

    public var description: String { "\(session):\(language):\(fraction)" }

    /// One byte per parameter of `parameters`' block (1 = may change), and how many may change.
    /// `directory` resolves a bare session name as `--session` does (`Sessions/NAME` under it).
    public func updateMask(for parameters: EncoderParameters, directory: URL) throws -> (mask: [UInt8], kept: Int) {
        let catalog = try FisherCatalog(session: FisherCatalog.sessionURL(session, in: directory))
        try catalog.require(language)
        var mask = [UInt8](repeating: 0, count: parameters.layout.totalCount)
        switch kind {
        case .fisher:
            let masks = try SessionMasks(catalog: catalog, p: fraction, languages: [language], seedAveraged: true)
            guard masks.layout == parameters.thetaLayout, let subnetwork = masks.subnetworks[language]?[0] else {
                throw InputError(file: catalog.session.path, "its Fisher files cover other tensors than this model's "
                                 + "encoder layers; compute the session with the model being trained")
            }
            let start = parameters.thetaRange.lowerBound
            for (word, bits) in subnetwork.bits.words.enumerated() where bits != 0 {
                for bit in 0..<64 where bits & (1 << UInt64(bit)) != 0 { mask[start + word << 6 + bit] = 1 }
            }
            return (mask, subnetwork.size)
        case .heads:
            guard let importance = try catalog.headImportance(language) else {
                throw InputError(file: catalog.session.path, "has no head importance for \(language) (heads/ folder)")
            }
            let config = parameters.config
            guard importance.layerCount == config.numLayers, importance.headCount == config.numHeads else {
                throw InputError(file: catalog.session.path, "its head importance is \(importance.layerCount) × "
                                 + "\(importance.headCount) heads, the model has \(config.numLayers) × \(config.numHeads)")
            }
            var kept = 0
            for (layer, heads) in importance.mask(fraction: fraction).used.enumerated() {
                for (head, used) in heads.enumerated() where used {
                    for range in parameters.ranges(ofHead: head, layer: layer) {
                        for i in range { mask[i] = 1 }
                        kept += range.count
                    }
                }
            }
            return (mask, kept)
        }
    }
}
