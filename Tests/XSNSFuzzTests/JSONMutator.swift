/// Structure-aware mutations of a JSON document: the result is usually still JSON, so it gets past
/// the parser and exercises the reader's own checks (types, ranges, sizes, duplicates, nesting).
enum JSONMutator {
    static let dtypes = ["F32", "F16", "BF16", "F64", "I64", "I32", "U8", "BOOL", "F8_E4M3", "f32", "", "F32 "]

    static func mutate(_ tree: JSONTree, _ random: inout FuzzRandom) -> JSONTree {
        if random.chance(0.15) {
            // Graft: a copy of one subtree replaces another (shared offsets, a shape in a dtype…).
            let donors = subtrees(of: tree, limit: 4096)
            let donor = random.pick(donors)
            return atRandomNode(tree, &random) { _, _ in donor }
        }
        return atRandomNode(tree, &random) { node, random in mutateNode(node, &random) }
    }

    /// Applies `change` to one node, reached by descending into random children.
    private static func atRandomNode(
        _ tree: JSONTree, _ random: inout FuzzRandom, _ change: (JSONTree, inout FuzzRandom) -> JSONTree
    ) -> JSONTree {
        switch tree {
        case .object(var members) where !members.isEmpty && random.chance(0.75):
            let index = random.below(members.count)
            members[index].value = atRandomNode(members[index].value, &random, change)
            return .object(members)
        case .array(var elements) where !elements.isEmpty && random.chance(0.75):
            let index = random.below(elements.count)
            elements[index] = atRandomNode(elements[index], &random, change)
            return .array(elements)
        default:
            return change(tree, &random)
        }
    }

    private static func subtrees(of tree: JSONTree, limit: Int) -> [JSONTree] {
        var result: [JSONTree] = []
        var pending = [tree]
        while let next = pending.popLast(), result.count < limit {
            result.append(next)
            switch next {
            case .object(let members): pending += members.map(\.value)
            case .array(let elements): pending += elements
            default: break
            }
        }
        return result
    }

    private static func mutateNode(_ node: JSONTree, _ random: inout FuzzRandom) -> JSONTree {
        switch random.below(4) {
        case 0: return replacement(&random)
        case 1: return nested(node, depth: 1 + random.below(random.chance(0.5) ? 40 : 5_000), &random)
        default: break
        }
        switch node {
        case .object(let members): return .object(mutateMembers(members, &random))
        case .array(let elements): return .array(mutateElements(elements, &random))
        case .string: return .string(awkwardString(&random))
        case .literal(let text):
            if let value = Int(text), random.chance(0.3) { return .literal(String(value &+ random.pick([-1, 1]))) }
            return .literal(random.pick(InterestingValues.numbers))
        }
    }

    /// Any kind of value in place of the original.
    private static func replacement(_ random: inout FuzzRandom) -> JSONTree {
        switch random.below(7) {
        case 0: return .literal(random.pick(InterestingValues.numbers))
        case 1: return .literal(random.pick(["null", "true", "false"]))
        case 2: return .string(Array(random.pick(dtypes).utf8))
        case 3: return .string(awkwardString(&random))
        case 4: return .array(Array(repeating: .literal(random.pick(InterestingValues.numbers)), count: random.below(6)))
        case 5: return .array([])
        default: return .object([])
        }
    }

    private static func nested(_ node: JSONTree, depth: Int, _ random: inout FuzzRandom) -> JSONTree {
        let useObjects = random.chance(0.5)
        var tree = node
        for _ in 0..<depth { tree = useObjects ? .object([(Array("a".utf8), tree)]) : .array([tree]) }
        return tree
    }

    private static func awkwardString(_ random: inout FuzzRandom) -> [UInt8] {
        switch random.below(6) {
        case 0: return []
        case 1: return [UInt8](repeating: UInt8(ascii: "x"), count: 1 + random.below(200_000))
        case 2: return random.pick(InterestingValues.awkwardBytes)
        case 3: return Array(random.pick(["\\u0000", "\\ud800", "\\udfff\\ud800", "\\n", "a\\nb", "\\\\", "\\x", "\\u12"]).utf8)
        case 4: return Array(random.pick(InterestingValues.numbers).utf8)
        default: return Array(random.pick(dtypes).utf8)
        }
    }

    private static func mutateMembers(
        _ input: [(key: [UInt8], value: JSONTree)], _ random: inout FuzzRandom
    ) -> [(key: [UInt8], value: JSONTree)] {
        var members = input
        guard !members.isEmpty else { return [(Array("__metadata__".utf8), replacement(&random))] }
        let index = random.below(members.count)
        switch random.below(6) {
        case 0:  // the same key twice, with the same or another value
            let copy = (key: members[index].key, value: random.chance(0.5) ? members[index].value : replacement(&random))
            members.insert(copy, at: random.below(members.count + 1))
        case 1:
            members.remove(at: index)
        case 2:  // a key equal to another one only under Unicode canonical equivalence
            members.append((Array("\u{e9}".utf8), members[index].value))
            members.append((Array("e\u{301}".utf8), members[index].value))
        case 3:  // a renamed key
            members[index].key = random.chance(0.5) ? awkwardString(&random)
                : Array(random.pick(["__metadata__", "dtype", "shape", "data_offsets", "weight_map", "model", "type",
                                     "version", "format", "runs", "vocab", "model_type", "num_hidden_layers"]).utf8)
        case 4:  // two members swap their values
            let other = random.below(members.count)
            (members[index].value, members[other].value) = (members[other].value, members[index].value)
        default:  // many more members (copies of a leaf, so the document stays small)
            let value = members[index].value.isLeaf ? members[index].value : .literal("0")
            for number in 0..<random.below(2_000) {
                members.append((Array("k\(number)".utf8), value))
            }
        }
        return members
    }

    private static func mutateElements(_ input: [JSONTree], _ random: inout FuzzRandom) -> [JSONTree] {
        var elements = input
        switch random.below(5) {
        case 0 where !elements.isEmpty:
            elements.remove(at: random.below(elements.count))
        case 1 where !elements.isEmpty:
            elements.insert(random.pick(elements), at: random.below(elements.count + 1))
        case 2:  // huge dimensions: products that overflow Int, or 2^40 elements
            let huge = random.pick(["4294967296", "1099511627776", "9223372036854775807", "3037000500", "65536"])
            elements += Array(repeating: .literal(huge), count: 1 + random.below(4))
        case 3:
            let value = JSONTree.literal(random.pick(InterestingValues.numbers))
            elements = Array(repeating: value, count: max(1, elements.count))
        default:  // a long list (of a leaf, so the document stays small)
            let element = elements.first.flatMap { $0.isLeaf ? $0 : nil } ?? .literal("1")
            elements += Array(repeating: element, count: random.below(50_000))
        }
        return elements
    }
}
