import XSNSEngine
import XSNSTokenizers

/// Draws masked-LM batches from a pool of sequences: step k's sentences, masks and dropout come from
/// streams seeded by (seed, k) alone, so any step can be redrawn — a resumed run continues exactly, and
/// a probe run is the same whatever ran before it.
public struct MaskedBatchSampler: Sendable {
    public let count: Int
    public let batchSize: Int
    public let seed: UInt64
    public let masking: MaskingPolicy
    private let sequence: @Sendable (Int) -> [Int32]

    /// `sequence(i)` gives pool item i's token ids, special tokens included (computed when drawn, so a
    /// large corpus is tokenized only as far as it is used).
    public init(count: Int, batchSize: Int, seed: UInt64, masking: MaskingPolicy,
                sequence: @escaping @Sendable (Int) -> [Int32]) {
        self.count = count
        self.batchSize = batchSize
        self.seed = seed
        self.masking = masking
        self.sequence = sequence
    }

    /// Step `step`'s batch: `batchSize` items drawn without replacement (all of them when the pool is
    /// smaller), masked as the data collator does.
    public func batch(step: Int) -> [MaskedSequence] {
        var random = SeededRandom(seed: stream(step, 0x5A3B))
        var chosen: [Int] = []
        var taken = Set<Int>()
        while chosen.count < min(batchSize, count) {
            let index = random.nextInt(below: count)
            if taken.insert(index).inserted { chosen.append(index) }
        }
        var maskRandom = SeededRandom(seed: stream(step, 0x3A5C))
        return chosen.map { masking.mask(sequence($0), random: &maskRandom) }
    }

    /// The seed of step `step`'s dropout stream.
    public func dropoutSeed(step: Int) -> UInt64 { stream(step, 0xD50F) }

    /// A seed for one step's stream of one kind: independent of every other step.
    private func stream(_ step: Int, _ kind: UInt64) -> UInt64 {
        seed &* 0x9E37_79B9_7F4A_7C15 ^ (UInt64(step) &+ 1) &* 0xBF58_476D_1CE4_E5B9 ^ kind
    }

    /// Text packed as Hugging Face's `run_mlm.py` groups it: every line tokenized with its special tokens,
    /// all concatenated and cut into blocks of `length` tokens, the incomplete last block dropped (kept
    /// when it is the only one).
    public static func blocks(of lines: [String], tokenizer: Tokenizer, length: Int) -> [[Int32]] {
        var stream: [Int32] = []
        for line in lines { stream += tokenizer.encode(line).ids.map { Int32($0) } }
        var blocks = stride(from: 0, to: stream.count - length + 1, by: length).map { Array(stream[$0..<($0 + length)]) }
        if blocks.isEmpty && !stream.isEmpty { blocks = [stream] }
        return blocks
    }
}
