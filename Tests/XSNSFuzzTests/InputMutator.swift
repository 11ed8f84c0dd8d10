/// Chooses mutations by file type: safetensors files get their JSON header mutated and re-framed
/// (so the change reaches the header checks instead of failing the length check), JSON files get
/// structural mutations, and every file also gets the format-blind byte mutations.
enum InputMutator {
    /// Inputs stay small so that every read is quick and a hang stands out; a mutation that would
    /// grow the input beyond this is dropped.
    static let maximumSize = 1 << 20

    static func mutate(fileName: String, _ input: [UInt8], donors: [[UInt8]], _ random: inout FuzzRandom) -> [UInt8] {
        var bytes = input
        for _ in 0...random.below(3) {
            let mutated: [UInt8]
            if fileName.hasSuffix(".safetensors") {
                mutated = mutateSafeTensors(bytes, donors: donors, &random)
            } else if fileName.hasSuffix(".json"), random.chance(0.03) {
                // Cut anywhere and end exactly at the parsers' 512-level nesting limit (found a JSONDecoder trap).
                mutated = Array(bytes.prefix(random.below(bytes.count + 1))) + Array(repeating: UInt8(ascii: "["), count: 513)
            } else if fileName.hasSuffix(".json"), random.chance(0.6), let tree = JSONTree(parsing: bytes) {
                mutated = (random.chance(0.3) ? PrecompiledCharsMapMutator.mutate(tree, &random) : nil)
                    .map(\.bytes) ?? JSONMutator.mutate(tree, &random).bytes
            } else {
                mutated = ByteMutator.mutate(bytes, donors: donors, &random)
            }
            if mutated.count <= Self.maximumSize { bytes = mutated }
        }
        return bytes
    }

    /// The three parts of a safetensors file: declared header length, header, data area.
    private static func split(_ bytes: [UInt8]) -> (header: [UInt8], data: [UInt8])? {
        guard bytes.count >= 8 else { return nil }
        let declared = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard declared <= UInt64(bytes.count - 8) else { return nil }
        let end = 8 + Int(declared)
        return (Array(bytes[8..<end]), Array(bytes[end...]))
    }

    static func framed(length: UInt64, _ header: [UInt8], _ data: [UInt8]) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + header + data
    }

    private static func mutateSafeTensors(_ bytes: [UInt8], donors: [[UInt8]], _ random: inout FuzzRandom) -> [UInt8] {
        guard let (header, data) = split(bytes) else { return ByteMutator.mutate(bytes, donors: donors, &random) }
        switch random.below(10) {
        case 0..<5:  // the header, still JSON, correctly framed
            guard let tree = JSONTree(parsing: header) else { return ByteMutator.mutate(bytes, donors: donors, &random) }
            let mutated = JSONMutator.mutate(tree, &random).bytes
            return framed(length: UInt64(mutated.count), mutated, data)
        case 5, 6:  // a lying length prefix
            let actual = UInt64(header.count)
            let length = random.chance(0.5)
                ? random.pick(InterestingValues.lengths)
                : random.pick([actual &- 1, actual + 1, actual + UInt64(data.count), actual + UInt64(data.count) + 1, actual / 2])
            return framed(length: length, header, data)
        case 7:  // header bytes mutated blindly, re-framed
            let mutated = ByteMutator.mutate(header, donors: [], &random)
            return framed(length: UInt64(mutated.count), mutated, data)
        case 8:  // the data area shortened or lengthened
            let newData = random.chance(0.5)
                ? Array(data.prefix(random.below(data.count + 1)))
                : data + (0..<(1 + random.below(64))).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            return framed(length: UInt64(header.count), header, newData)
        default:
            return ByteMutator.mutate(bytes, donors: donors, &random)
        }
    }
}
