import Testing

/// The systematic complements of the random campaigns: truncations (every offset of a small file;
/// the first bytes and evenly spread offsets of a larger one) and, for safetensors, every header
/// byte of the smallest seeds replaced by a few critical values.
struct ExhaustiveMutationTests {
    /// Cutting points of a file of `count` bytes: all of them up to `budget`, else the first
    /// `budget / 2` offsets (the length prefix, the header start) and `budget / 2` spread over the rest.
    static func cuts(_ count: Int, budget: Int) -> [Int] {
        guard count > budget else { return Array(0..<count) }
        let head = budget / 2
        let spread = (0..<(budget - head)).map { head + $0 * (count - head) / (budget - head) }
        return Array(Set(Array(0..<head) + spread)).sorted()
    }

    @Test(arguments: try FuzzTargets.all())
    func truncations(_ target: FuzzTarget) throws {
        let budget = target.isFolder ? 16 : 1024
        var report = FuzzReport(target: target.name)
        let folder = Fuzzer.workFolder("\(target.name)-truncated")
        for (index, seed) in target.seeds.enumerated() {
            for (name, bytes) in seed.sorted(by: { $0.key < $1.key }) {
                for length in Self.cuts(bytes.count, budget: budget) {
                    var files = seed
                    files[name] = Array(bytes.prefix(length))
                    try Fuzzer.check(target, files, in: folder, label: "seed \(index), \(name) cut to \(length) bytes",
                                     into: &report)
                }
            }
        }
        report.expectClean()
    }

    @Test func everySafeTensorsHeaderByteReplaced() throws {
        let target = try FuzzTargets.safeTensors()
        var report = FuzzReport(target: target.name)
        let folder = Fuzzer.workFolder("safetensors-bytes")
        for (index, seed) in target.seeds.enumerated() {
            guard let bytes = seed.values.first, bytes.count <= 256 else { continue }
            for position in 0..<bytes.count {
                for value in [0x00, 0x22, 0x39] as [UInt8] where bytes[position] != value {
                    var mutated = bytes
                    mutated[position] = value
                    try Fuzzer.check(target, ["input.safetensors": mutated], in: folder,
                                     label: "seed \(index), byte \(position) set to \(value)", into: &report)
                }
            }
        }
        report.expectClean()
    }
}
