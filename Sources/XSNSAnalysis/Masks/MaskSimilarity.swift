/// Similarity of two binary sub-networks over the same θ.
public enum MaskMetric: String, CaseIterable, Sendable {
    /// X-SNS: |A∩B| / |A∪B|.
    case jaccard
    /// Choenni et al.: cosine of the binary vectors, |A∩B| / sqrt(|A|·|B|).
    case cosine

    /// The similarity from the intersection and the two set sizes; two empty sets count as identical.
    public func similarity(intersection: Int, sizeA: Int, sizeB: Int) -> Double {
        switch self {
        case .jaccard:
            let union = sizeA + sizeB - intersection
            return union == 0 ? 1 : Double(intersection) / Double(union)
        case .cosine:
            let product = Double(sizeA) * Double(sizeB)
            return product == 0 ? (sizeA == sizeB ? 1 : 0) : Double(intersection) / product.squareRoot()
        }
    }

    public func similarity(_ a: Subnetwork, _ b: Subnetwork) -> Double {
        similarity(intersection: a.bits.intersectionCount(b.bits), sizeA: a.size, sizeB: b.size)
    }
}
