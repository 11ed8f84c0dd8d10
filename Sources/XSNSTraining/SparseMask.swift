import Foundation
import XSNSAnalysis
import XSNSEngine
import XSNSStorage

/// `--sparse-mask SESSION:LANG:P`: sparse fine-tuning on a language's sub-network (Choenni et al.).
/// The sub-network is the session's mask of LANG at p, of its Fisher averaged over seeds (what the
/// workbench shows for that language); only those θ parameters may change. Everything else — the rest
/// of θ, embeddings, MLM head — keeps its exact value, whatever `--train` says.
public struct SparseMaskSpec: Codable, Equatable, Sendable, CustomStringConvertible {
    public var session: String
    public var language: String
    public var p: Double

    /// Split from the right, so a session path may itself contain ':'.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3, let p = Double(parts[parts.count - 1]) else {
            throw InputError("--sparse-mask takes SESSION:LANG:P (for example demo:fi:0.1), got '\(text)'")
        }
        guard p > 0, p < 1 else { throw InputError("--sparse-mask: P must lie in (0, 1), got \(p)") }
        session = parts[..<(parts.count - 2)].joined(separator: ":")
        language = String(parts[parts.count - 2])
        self.p = p
        guard !session.isEmpty, !language.isEmpty else {
            throw InputError("--sparse-mask takes SESSION:LANG:P (for example demo:fi:0.1), got '\(text)'")
        }
    }

    public var description: String { "\(session):\(language):\(p)" }

    /// One byte per parameter of `parameters`' block (1 = may change). `directory` resolves a bare session
    /// name as `--session` does (`Sessions/NAME` under it).
    public func updateMask(for parameters: EncoderParameters, directory: URL) throws -> (mask: [UInt8], kept: Int) {
        let catalog = try FisherCatalog(session: FisherCatalog.sessionURL(session, in: directory))
        let masks = try SessionMasks(catalog: catalog, p: p, languages: [language], seedAveraged: true)
        guard masks.layout == parameters.thetaLayout, let subnetwork = masks.subnetworks[language]?[0] else {
            throw InputError(file: catalog.session.path,
                             "its Fisher files cover other tensors than this model's encoder layers; "
                                 + "compute the session with the model being trained")
        }
        var mask = [UInt8](repeating: 0, count: parameters.layout.totalCount)
        let start = parameters.thetaRange.lowerBound
        for (word, bits) in subnetwork.bits.words.enumerated() where bits != 0 {
            for bit in 0..<64 where bits & (1 << UInt64(bit)) != 0 { mask[start + word << 6 + bit] = 1 }
        }
        return (mask, subnetwork.size)
    }
}
