import Foundation

/// A seeded generator of malformed variants of a valid input, for property tests ("every
/// variant loads or is an InputError, never a crash"): byte-level damage, and JSON-aware edits
/// that keep the syntax valid but put wrong types, negative or huge numbers where values belong.
public struct MalformedInputGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// SplitMix64: tiny, seedable and good enough to spread mutations.
    public mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z % UInt64(max(bound, 1)))
    }

    /// Damages `bytes` in `range` (the region worth attacking, e.g. a header).
    public mutating func damage(_ bytes: Data, within range: Range<Int>? = nil) -> Data {
        var result = bytes
        let region = range ?? 0..<bytes.count
        guard !region.isEmpty else { return result + Data([UInt8(next(256))]) }
        let position = region.lowerBound + next(region.count)
        switch next(5) {
        case 0: result[result.startIndex + position] = UInt8(next(256))
        case 1: result = result.prefix(position)
        case 2: result.insert(contentsOf: (0..<(1 + next(8))).map { _ in UInt8(next(256)) }, at: result.startIndex + position)
        case 3: result.removeSubrange((result.startIndex + position)..<(result.startIndex + min(result.count, position + 1 + next(16))))
        default:
            let digits = Array("0123456789-.e".utf8)
            result[result.startIndex + position] = digits[next(digits.count)]
        }
        return result
    }

    /// Replaces one random node of a JSON document with a hostile value; nil if `json` does not parse.
    public mutating func editJSON(_ json: Data) -> Data? {
        guard let root = try? JSONSerialization.jsonObject(with: json) else { return nil }
        let edited = edit(root, depth: 0)
        return try? JSONSerialization.data(withJSONObject: edited, options: [.fragmentsAllowed])
    }

    private static var hostileValues: [Any] { [
        -1, 0, Int.max, Int.min, 1.5, 1e300, "", "F99", "../../x", true, NSNull(), [Any](), [String: Any](),
        [-1, 2], [Int.max, Int.max], [0, 1, 2], ["a"], 4_294_967_296,
    ] }

    private mutating func edit(_ node: Any, depth: Int) -> Any {
        let replaceHere = next(4) == 0 || depth > 6
        if replaceHere { return Self.hostileValues[next(Self.hostileValues.count)] }
        if var object = node as? [String: Any], !object.isEmpty {
            let keys = object.keys.sorted()
            let key = keys[next(keys.count)]
            switch next(6) {
            case 0: object.removeValue(forKey: key)
            default: object[key] = edit(object[key] as Any, depth: depth + 1)
            }
            return object
        }
        if var array = node as? [Any], !array.isEmpty {
            let index = next(array.count)
            array[index] = edit(array[index], depth: depth + 1)
            return array
        }
        return Self.hostileValues[next(Self.hostileValues.count)]
    }
}
