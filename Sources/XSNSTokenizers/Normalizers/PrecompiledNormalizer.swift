import Foundation

/// `Precompiled`: SentencePiece normalization (e.g. `nmt_nfkc`) from the rules compiled into the model.
///
/// Follows Hugging Face exactly, odd as it is: each extended grapheme cluster shorter than 6 UTF-8 bytes is
/// first looked up whole (and replaced whole by the shortest matching rule); otherwise, or when no rule
/// matches, each of its scalars is looked up on its own.
struct PrecompiledNormalizer: Normalizer {
    private let charsMap: PrecompiledCharsMap

    init(_ fields: JSONFields) throws(TokenizerInputError) {
        let encoded = try fields.string("precompiled_charsmap")
        guard let data = Data(base64Encoded: encoded) else {
            throw TokenizerInputError("\(fields.fieldPath("precompiled_charsmap")) is not valid base64")
        }
        do {
            charsMap = try PrecompiledCharsMap(Array(data))
        } catch {
            throw TokenizerInputError("\(fields.fieldPath("precompiled_charsmap")): \(error.message)")
        }
    }

    func normalize(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for grapheme in text {
            let bytes = grapheme.utf8
            if bytes.count < 6, let replacement = charsMap.replacement(for: bytes) {
                output.append(contentsOf: replacement)
                continue
            }
            for scalar in grapheme.unicodeScalars {
                let scalarBytes = utf8Bytes(of: scalar)
                if let replacement = charsMap.replacement(for: scalarBytes) {
                    output.append(contentsOf: replacement)
                } else {
                    output.append(contentsOf: scalarBytes)
                }
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// The UTF-8 bytes of one scalar.
func utf8Bytes(of scalar: Unicode.Scalar) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(4)
    UTF8.encode(scalar) { bytes.append($0) }
    return bytes
}
