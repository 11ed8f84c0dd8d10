import XSNSStorage

/// One score per attention head: values[layer][head].
public struct HeadGrid: Equatable, Sendable {
    public let values: [[Double]]
    public var layerCount: Int { values.count }
    public var headCount: Int { values.first?.count ?? 0 }

    public init(_ values: [[Double]]) { self.values = values }

    /// Heads best first; ties broken by (layer, head) so rankings are reproducible.
    public var ranking: [(layer: Int, head: Int, score: Double)] {
        let flat = values.enumerated().flatMap { layer, row in row.enumerated().map { (layer, $0.offset, $0.element) } }
        return flat.sorted { lhs, rhs in
            lhs.2 != rhs.2 ? lhs.2 > rhs.2 : (lhs.0, lhs.1) < (rhs.0, rhs.1)
        }.map { (layer: $0.0, head: $0.1, score: $0.2) }
    }

    /// The best `fraction` of all heads (rounded half up, at least one): mask[layer][head].
    public func mask(fraction: Double) -> HeadMask {
        let total = layerCount * headCount
        let keep = max(1, Int((fraction * Double(total) + 0.5).rounded(.down)))
        var mask = Array(repeating: [Bool](repeating: false, count: headCount), count: layerCount)
        for head in ranking.prefix(keep) { mask[head.layer][head.head] = true }
        return HeadMask(mask)
    }
}

/// Which heads a language uses (Choenni et al.'s head-level sub-network).
public struct HeadMask: Equatable, Sendable {
    public let used: [[Bool]]
    public init(_ used: [[Bool]]) { self.used = used }

    var flat: [Bool] { used.flatMap { $0 } }

    /// Cosine of the flattened binary masks.
    public func cosine(_ other: HeadMask) -> Double {
        let a = flat
        let b = other.flat
        let both = zip(a, b).filter { $0 && $1 }.count
        return MaskMetric.cosine.similarity(
            intersection: both, sizeA: a.filter { $0 }.count, sizeB: b.filter { $0 }.count)
    }

    /// Heads the mask enables.
    public var count: Int { flat.filter { $0 }.count }

    /// Heads both masks enable.
    public func overlap(_ other: HeadMask) -> Int { zip(flat, other.flat).filter { $0 && $1 }.count }

    /// The share of this mask's heads that `other` enables too (asymmetric; 0 for an empty mask).
    public func share(in other: HeadMask) -> Double {
        count == 0 ? 0 : Double(overlap(other)) / Double(count)
    }

    public func jaccard(_ other: HeadMask) -> Double {
        MaskMetric.jaccard.similarity(intersection: overlap(other), sizeA: count, sizeB: other.count)
    }

    /// Heads either mask enables, and heads both enable.
    public func union(_ other: HeadMask) -> HeadMask { HeadMask(zip(used, other.used).map { zip($0, $1).map { $0 || $1 } }) }
    public func intersection(_ other: HeadMask) -> HeadMask {
        HeadMask(zip(used, other.used).map { zip($0, $1).map { $0 && $1 } })
    }

    /// For each (layer, head), how many of the masks use it.
    public static func usage(_ masks: [HeadMask]) -> [[Int]] {
        guard let first = masks.first else { return [] }
        return first.used.indices.map { layer in
            first.used[layer].indices.map { head in masks.filter { $0.used[layer][head] }.count }
        }
    }
}

public enum HeadViews {
    /// Fisher mass of each head: its rows of the query, key and value weights and biases, plus its
    /// columns of the attention output projection (PyTorch Linear weights are [out, in], row-major).
    public static func fisherMass(_ fisher: FlatTensors, map: ParameterMap, heads: Int) throws -> HeadGrid {
        guard heads > 0, map.layerCount > 0 else { throw InputError("no attention layers to split into heads") }
        let values = fisher.values
        var grid = Array(repeating: [Double](repeating: 0, count: heads), count: map.layerCount)
        for layer in 0..<map.layerCount {
            guard let output = map.tensor(layer: layer, "attention.output.dense.weight"), output.shape.count == 2
            else { throw InputError("layer \(layer) has no attention.output.dense.weight") }
            let hidden = output.shape[0]
            guard hidden % heads == 0, output.shape[1] == hidden else {
                throw InputError("hidden size \(hidden) does not split into \(heads) heads")
            }
            let headSize = hidden / heads
            for head in 0..<heads {
                let rows = (head * headSize)..<((head + 1) * headSize)
                var mass = 0.0
                for part in ["query", "key", "value"] {
                    guard let weight = map.tensor(layer: layer, "attention.self.\(part).weight"),
                        weight.shape == [hidden, hidden]
                    else { throw InputError("layer \(layer) has no \(hidden)×\(hidden) \(part) weight") }
                    for index in (weight.offset + rows.lowerBound * hidden)..<(weight.offset + rows.upperBound * hidden) {
                        mass += Double(values[index])
                    }
                    if let bias = map.tensor(layer: layer, "attention.self.\(part).bias") {
                        guard bias.count == hidden else {
                            throw InputError("layer \(layer): \(part) bias has \(bias.count) values, expected \(hidden)")
                        }
                        for row in rows { mass += Double(values[bias.offset + row]) }
                    }
                }
                for row in 0..<hidden {
                    let start = output.offset + row * hidden
                    for column in rows { mass += Double(values[start + column]) }
                }
                grid[layer][head] = mass
            }
        }
        return HeadGrid(grid)
    }
}
