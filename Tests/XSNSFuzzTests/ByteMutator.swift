/// Format-blind mutations: the classic bit flips, insertions, deletions, duplications, truncations
/// and splices, plus overwriting numbers with boundary values and inserting invalid UTF-8.
enum ByteMutator {
    /// `donors` are the other seeds of the format, for splicing.
    static func mutate(_ input: [UInt8], donors: [[UInt8]], _ random: inout FuzzRandom) -> [UInt8] {
        var bytes = input
        switch random.below(11) {
        case 0:  // flip one to four bits
            guard !bytes.isEmpty else { return random.pick(InterestingValues.tokens) }
            for _ in 0...random.below(4) {
                let position = random.below(bytes.count)
                bytes[position] ^= 1 << UInt8(random.below(8))
            }
        case 1:  // overwrite a byte
            guard !bytes.isEmpty else { return [UInt8(truncatingIfNeeded: random.next())] }
            bytes[random.below(bytes.count)] = random.chance(0.5)
                ? UInt8(truncatingIfNeeded: random.next()) : random.pick([0, 0x7F, 0x80, 0xFF, 0x22, 0x2C, 0x0A])
        case 2:  // insert random bytes
            let insertion = (0..<(1 + random.below(8))).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            bytes.insert(contentsOf: insertion, at: random.below(bytes.count + 1))
        case 3:  // insert a structural token
            bytes.insert(contentsOf: random.pick(InterestingValues.tokens), at: random.below(bytes.count + 1))
        case 4:  // insert invalid or awkward UTF-8
            bytes.insert(contentsOf: random.pick(InterestingValues.awkwardBytes), at: random.below(bytes.count + 1))
        case 5:  // delete a range
            guard !bytes.isEmpty else { return bytes }
            let start = random.below(bytes.count)
            bytes.removeSubrange(start..<min(bytes.count, start + 1 + random.below(16)))
        case 6:  // duplicate a range in place (repeated keys, records, tensors)
            guard !bytes.isEmpty else { return bytes }
            let start = random.below(bytes.count)
            let range = start..<min(bytes.count, start + 1 + random.below(64))
            bytes.insert(contentsOf: bytes[range], at: random.below(bytes.count + 1))
        case 7:  // truncate
            bytes.removeSubrange(random.below(bytes.count + 1)...)
        case 8:  // splice: head of this input, tail of another seed
            let donor = donors.isEmpty ? input : random.pick(donors)
            bytes = Array(bytes.prefix(random.below(bytes.count + 1)) + donor.suffix(random.below(donor.count + 1)))
        case 9:  // replace a number with a boundary value
            bytes = replacingNumber(in: bytes, &random)
        default:  // a very long run of one byte (long lines, long strings, long digit strings)
            let run = [UInt8](repeating: random.pick(Array("a9\",[{\n \u{7F}".utf8) + [0xC3]), count: 1 + random.below(70_000))
            bytes.insert(contentsOf: run, at: random.below(bytes.count + 1))
        }
        return bytes
    }

    /// Replaces a randomly chosen run of number characters with one of the interesting numbers.
    static func replacingNumber(in bytes: [UInt8], _ random: inout FuzzRandom) -> [UInt8] {
        let isNumberByte = { (byte: UInt8) in (0x30...0x39).contains(byte) || "-+.eE".utf8.contains(byte) }
        var runs: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            guard (0x30...0x39).contains(bytes[index]) else {
                index += 1
                continue
            }
            var start = index
            if start > 0, bytes[start - 1] == UInt8(ascii: "-") { start -= 1 }
            while index < bytes.count, isNumberByte(bytes[index]) { index += 1 }
            runs.append(start..<index)
        }
        guard !runs.isEmpty else { return bytes }
        var result = bytes
        result.replaceSubrange(random.pick(runs), with: Array(random.pick(InterestingValues.numbers).utf8))
        return result
    }
}
