import Foundation
import Testing
@testable import XSNSEngine

/// Masking follows `DataCollatorForLanguageModeling`'s rules (the random stream is our own).
struct MaskingPolicyTests {
    let policy = MaskingPolicy(probability: 0.15, maskTokenId: 4, vocabularySize: 1000, specialTokenIds: [0, 1, 2, 3, 4])

    func corpus() -> [Int32] {
        var random = SeededRandom(seed: 11)
        return [0] + (0..<40_000).map { _ in Int32(5 + random.nextInt(below: 995)) } + [2, 1, 1]
    }

    @Test func selectsFifteenPercentOfOrdinaryTokensSplitEightyTenTen() {
        let ids = corpus()
        var random = SeededRandom(seed: 42)
        let masked = policy.mask(ids, random: &random)
        let selected = masked.labels.indices.filter { masked.labels[$0] != MaskedSequence.ignoredLabel }
        let ordinary = Double(ids.count - 4)
        #expect(abs(Double(selected.count) / ordinary - 0.15) < 0.01)
        #expect(selected.allSatisfy { masked.labels[$0] == ids[$0] })
        let toMask = selected.filter { masked.inputIds[$0] == 4 }.count
        let unchanged = selected.filter { masked.inputIds[$0] == ids[$0] }.count
        let replaced = selected.count - toMask - unchanged
        let n = Double(selected.count)
        #expect(abs(Double(toMask) / n - 0.8) < 0.02)
        // A random replacement can draw the original id back (1 in 1000): it then counts as unchanged.
        #expect(abs(Double(unchanged) / n - 0.1) < 0.02)
        #expect(abs(Double(replaced) / n - 0.1) < 0.02)
        // Nothing outside the selection changes, and special tokens are never selected.
        for t in ids.indices where masked.labels[t] == MaskedSequence.ignoredLabel {
            #expect(masked.inputIds[t] == ids[t])
        }
        #expect([0, ids.count - 3, ids.count - 2, ids.count - 1].allSatisfy { masked.labels[$0] == -100 })
    }

    @Test func sameSeedSameMasksAndResumableStream() throws {
        let ids = Array(corpus().prefix(300))
        var first = SeededRandom(seed: 7), second = SeededRandom(seed: 7)
        #expect(policy.mask(ids, random: &first) == policy.mask(ids, random: &second))
        let stored = try JSONEncoder().encode(first)
        var restored = try JSONDecoder().decode(SeededRandom.self, from: stored)
        #expect(policy.mask(ids, random: &restored) == policy.mask(ids, random: &first))
        var other = SeededRandom(seed: 8)
        #expect(policy.mask(ids, random: &other) != policy.mask(ids, random: &second))
    }

    @Test func boundedIntegersCoverTheRangeUniformly() {
        var random = SeededRandom(seed: 5)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[random.nextInt(below: 7)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 400 })
    }
}
