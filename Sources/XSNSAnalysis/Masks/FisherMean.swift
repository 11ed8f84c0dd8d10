import XSNSStorage

extension FlatTensors {
    /// The element-wise mean of Fisher vectors over seeds (for the mask of the seed-averaged Fisher).
    /// Sums in Double so the result does not depend on the order of the seeds.
    public static func mean(_ vectors: [FlatTensors]) throws -> FlatTensors {
        guard let first = vectors.first else { throw InputError("no Fisher vectors to average") }
        guard vectors.allSatisfy({ $0.layout == first.layout }) else {
            throw InputError("Fisher vectors of different seeds have different tensors")
        }
        var sums = [Double](repeating: 0, count: first.values.count)
        for vector in vectors {
            vector.values.withUnsafeBufferPointer { input in
                for index in 0..<input.count { sums[index] += Double(input[index]) }
            }
        }
        let scale = 1 / Double(vectors.count)
        return FlatTensors(layout: first.layout, values: sums.map { Float($0 * scale) })
    }
}
