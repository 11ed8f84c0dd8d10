/// A JSON document as the fuzzer needs it: members keep their order and may repeat, numbers keep
/// their literal text, and strings are raw bytes. Foundation's parser would normalise exactly the
/// things a hostile file plays with (duplicate keys, `1e999`, invalid UTF-8), so mutations work
/// on this tree and `bytes` writes it back out verbatim.
indirect enum JSONTree {
    case object([(key: [UInt8], value: JSONTree)])
    case array([JSONTree])
    /// The bytes between the quotes, escapes left as written.
    case string([UInt8])
    /// Any literal: a number, `true`, `false`, `null`, or something that is no JSON at all.
    case literal(String)

    var isLeaf: Bool {
        switch self {
        case .string, .literal: return true
        case .object, .array: return false
        }
    }

    var bytes: [UInt8] {
        var output: [UInt8] = []
        write(to: &output)
        return output
    }

    private func write(to output: inout [UInt8]) {
        switch self {
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                output.append(UInt8(ascii: "\""))
                output += member.key
                output += Array("\":".utf8)
                member.value.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .string(let raw):
            output.append(UInt8(ascii: "\""))
            output += raw
            output.append(UInt8(ascii: "\""))
        case .literal(let text):
            output += Array(text.utf8)
        }
    }

    /// Parses the seeds (valid JSON); nil for anything else, which the byte mutators handle instead.
    init?(parsing bytes: [UInt8]) {
        var parser = Parser(bytes: bytes)
        guard let tree = parser.value(depth: 0) else { return nil }
        parser.skipSpace()
        guard parser.index == bytes.count else { return nil }
        self = tree
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func value(depth: Int) -> JSONTree? {
            // Seeds are shallow; the limit only keeps an odd seed from exhausting the stack.
            guard depth < 256 else { return nil }
            skipSpace()
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var members: [(key: [UInt8], value: JSONTree)] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(members)
                }
                while true {
                    skipSpace()
                    guard let key = rawString(), expect(":"), let member = value(depth: depth + 1) else { return nil }
                    members.append((key, member))
                    skipSpace()
                    if expect(",") { continue }
                    return expect("}") ? .object(members) : nil
                }
            case UInt8(ascii: "["):
                index += 1
                var elements: [JSONTree] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(elements)
                }
                while true {
                    guard let element = value(depth: depth + 1) else { return nil }
                    elements.append(element)
                    skipSpace()
                    if expect(",") { continue }
                    return expect("]") ? .array(elements) : nil
                }
            case UInt8(ascii: "\""):
                return rawString().map(JSONTree.string)
            default:
                let start = index
                while index < bytes.count, !",]} \t\r\n".utf8.contains(bytes[index]) { index += 1 }
                guard index > start else { return nil }
                return .literal(String(decoding: bytes[start..<index], as: UTF8.self))
            }
        }

        mutating func rawString() -> [UInt8]? {
            guard expect("\"") else { return nil }
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard index < bytes.count else { return nil }
            defer { index += 1 }
            return Array(bytes[start..<index])
        }

        mutating func expect(_ character: Character) -> Bool {
            skipSpace()
            guard index < bytes.count, let ascii = character.asciiValue, bytes[index] == ascii else { return false }
            index += 1
            return true
        }
    }
}
