import Foundation

/// `precompiled_charsmap` in a tokenizer.json is a base64 binary (a trie size, a darts-clone trie,
/// NUL-ended strings) that JSON-level mutations can only break as base64. This mutator decodes it,
/// damages the binary (its size prefix with boundary values, or its bytes), and re-encodes it, so the
/// trie walk meets hostile offsets.
enum PrecompiledCharsMapMutator {
    static let key = Array("precompiled_charsmap".utf8)

    /// nil when the document has no charsmap.
    static func mutate(_ tree: JSONTree, _ random: inout FuzzRandom) -> JSONTree? {
        switch tree {
        case .object(var members):
            for index in members.indices {
                if members[index].key == key, case .string(let encoded) = members[index].value,
                    let blob = Data(base64Encoded: Data(encoded))
                {
                    let damaged = damage(Array(blob), &random)
                    members[index].value = .string(Array(Data(damaged).base64EncodedData()))
                    return .object(members)
                }
                if let mutated = mutate(members[index].value, &random) {
                    members[index].value = mutated
                    return .object(members)
                }
            }
            return nil
        case .array(var elements):
            for index in elements.indices {
                if let mutated = mutate(elements[index], &random) {
                    elements[index] = mutated
                    return .array(elements)
                }
            }
            return nil
        default:
            return nil
        }
    }

    private static func damage(_ blob: [UInt8], _ random: inout FuzzRandom) -> [UInt8] {
        var bytes = blob
        if random.chance(0.3), bytes.count >= 4 {
            let size = UInt32(truncatingIfNeeded: random.pick(InterestingValues.lengths + [UInt64(blob.count - 4), UInt64(blob.count)]))
            for shift in 0..<4 { bytes[shift] = UInt8(truncatingIfNeeded: size >> (8 * shift)) }
            return bytes
        }
        // Overwriting whole 32-bit trie units reaches offsets and labels that bit flips rarely do.
        if random.chance(0.4), bytes.count >= 8 {
            let unit = 4 * random.below(bytes.count / 4)
            let value = UInt32(truncatingIfNeeded: random.next())
            for shift in 0..<min(4, bytes.count - unit) { bytes[unit + shift] = UInt8(truncatingIfNeeded: value >> (8 * shift)) }
            return bytes
        }
        return ByteMutator.mutate(bytes, donors: [], &random)
    }
}
