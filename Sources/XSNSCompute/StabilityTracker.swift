import XSNSAnalysis

/// Watches a run's sub-network settle: at 8, 16, 32, … sentences (and at the end) it takes the mask
/// of the running Fisher sum and compares it with the mask at half as many sentences. Scaling does not
/// move a percentile, so the unnormalised sum gives the same mask as the Fisher itself. Above
/// `sampleSize` parameters the masks are taken over every k-th parameter (a fixed systematic sample of
/// about that many): an estimate of the same Jaccard (a million values keep ~150,000 at p = 0.15, a
/// standard error near 0.001), without three passes over all of θ each time.
struct StabilityTracker {
    static let p = 0.15
    static let sampleSize = 1 << 20
    private var previous: (sentences: Int, mask: Subnetwork)?

    static func isMeasurePoint(_ sentences: Int) -> Bool {
        sentences >= 8 && sentences & (sentences - 1) == 0
    }

    /// Records the mask at `sentences`; returns its Jaccard with the previous measure point's mask
    /// (half as many sentences, or the last power of two for the final, partial step).
    mutating func measure(sentences: Int, runningSum: UnsafeBufferPointer<Float>) -> Double? {
        let stride = max(1, (runningSum.count + Self.sampleSize - 1) / Self.sampleSize)
        let values = Swift.stride(from: 0, to: runningSum.count, by: stride).map { runningSum[$0] }
        guard let mask = try? Subnetwork(fisher: values, p: Self.p) else { return nil }
        defer { previous = (sentences, mask) }
        guard let previous else { return nil }
        return MaskMetric.jaccard.similarity(mask, previous.mask)
    }
}
