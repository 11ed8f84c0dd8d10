import Foundation

/// `NFC`, `NFD`, `NFKC`, `NFKD`: the Unicode normalization forms.
///
/// Hugging Face's normalization data predates Unicode 12.0, while Foundation's is newer: to HF a scalar
/// assigned since is unknown, so it neither decomposes (U+32FF SQUARE ERA NAME REIWA stays itself) nor
/// composes with its neighbours. Such scalars are therefore passed through untouched and the text between
/// them is normalized on its own, which is what an unknown starter amounts to. `ScalarMapTests` checks
/// every scalar against HF.
struct UnicodeNormalizer: Normalizer {
    enum Form: Sendable { case nfc, nfd, nfkc, nfkd }
    let form: Form

    func normalize(_ text: String) -> String {
        var output = ""
        var pending = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if Self.isUnknownToHuggingFace(scalar) {
                output += apply(String(pending))
                pending = String.UnicodeScalarView()
                output.unicodeScalars.append(scalar)
            } else {
                pending.append(scalar)
            }
        }
        return output + apply(String(pending))
    }

    private func apply(_ text: String) -> String {
        guard !text.isEmpty else { return text }
        switch form {
        case .nfc: return text.precomposedStringWithCanonicalMapping
        case .nfd: return text.decomposedStringWithCanonicalMapping
        case .nfkc: return text.precomposedStringWithCompatibilityMapping
        case .nfkd: return text.decomposedStringWithCompatibilityMapping
        }
    }

    private static func isUnknownToHuggingFace(_ scalar: Unicode.Scalar) -> Bool {
        guard !scalar.isASCII, let age = scalar.properties.age else { return false }
        return age.major >= 12
    }
}
