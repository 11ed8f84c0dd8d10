import Foundation
import XSNSStorage

/// `Precompiled`: SentencePiece normalization (e.g. `nmt_nfkc`) from the rules compiled into the model.
///
/// Follows Hugging Face exactly, odd as it is: each extended grapheme cluster shorter than 6 UTF-8 bytes is
/// first looked up whole (and replaced whole by the shortest matching rule); otherwise, or when no rule
/// matches, each of its scalars is looked up on its own.
struct PrecompiledNormalizer: Normalizer {
    private let charsMap: PrecompiledCharsMap

    init(_ fields: JSONFields) throws(InputError) {
        let encoded = try fields.string("precompiled_charsmap")
        guard let data = Data(base64Encoded: encoded) else {
            throw InputError("\(fields.fieldPath("precompiled_charsmap")) is not valid base64")
        }
        do {
            charsMap = try PrecompiledCharsMap(Array(data))
        } catch {
            throw InputError("\(fields.fieldPath("precompiled_charsmap")): \(error.message)")
        }
    }

    func normalize(_ text: String) -> String {
        normalize(Segment(text: text, lead: 0)).text
    }

    /// Besides the text, replays how Hugging Face aligns the result with the input, to find the new lead.
    /// HF records one change per output scalar: 0 replaces the next input scalar, +1 is inserted after the
    /// previous one, -n also swallows n more input scalars. A replacement with fewer scalars charges the
    /// difference to the previous output scalar — and when there is none (text starting with a removed
    /// scalar), the removal goes unrecorded, so the next output scalar is aligned with the removed one.
    func normalize(_ segment: Segment) -> Segment {
        var output: [UInt8] = []
        output.reserveCapacity(segment.text.utf8.count)
        let tracking = segment.lead > 0
        var changes: [Int] = []

        func record(oldCount: Int, newCount: Int) {
            guard tracking else { return }
            changes.append(contentsOf: repeatElement(0, count: newCount))
            let difference = newCount - oldCount
            if difference > 0 {
                for index in (changes.count - difference)..<changes.count { changes[index] = 1 }
            } else if difference < 0, !changes.isEmpty {
                changes[changes.count - 1] += difference
            }
        }

        for grapheme in segment.text {
            let bytes = grapheme.utf8
            if bytes.count < 6, let replacement = charsMap.replacement(for: bytes) {
                output.append(contentsOf: replacement)
                record(oldCount: grapheme.unicodeScalars.count, newCount: scalarCount(replacement))
                continue
            }
            for scalar in grapheme.unicodeScalars {
                let scalarBytes = utf8Bytes(of: scalar)
                if let replacement = charsMap.replacement(for: scalarBytes) {
                    output.append(contentsOf: replacement)
                    record(oldCount: 1, newCount: scalarCount(replacement))
                } else {
                    output.append(contentsOf: scalarBytes)
                    if tracking { changes.append(0) }
                }
            }
        }

        var lead = 0
        var inputIndex = 0
        for change in changes {
            // An insertion at the very start is aligned with offset 0; otherwise with the previous input.
            let alignedIndex = change > 0 ? max(inputIndex - 1, 0) : inputIndex
            guard alignedIndex < segment.lead else { break }
            lead += 1
            inputIndex += 1 - change
        }
        return Segment(text: String(decoding: output, as: UTF8.self), lead: lead)
    }

    private func scalarCount(_ bytes: [UInt8]) -> Int {
        bytes.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
    }
}

/// The UTF-8 bytes of one scalar.
func utf8Bytes(of scalar: Unicode.Scalar) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(4)
    UTF8.encode(scalar) { bytes.append($0) }
    return bytes
}
