/// Where two sub-networks agree, layer by layer and module by module.
public struct PairLayerView: Equatable, Sendable {
    /// Jaccard restricted to each layer (nil where neither mask has a parameter there).
    public var layers: [Double?]
    /// Jaccard restricted to each component, over all layers.
    public var components: [EncoderComponent: Double?]
    /// grid[layer][component index in `EncoderComponent.allCases`].
    public var grid: [[Double?]]
}

public enum LayerViews {
    /// |A∩B∩R| / |(A∪B)∩R| over the ranges R.
    static func jaccard(_ a: Subnetwork, _ b: Subnetwork, in ranges: [Range<Int>]) -> Double? {
        var both = 0
        var either = 0
        for range in ranges {
            let common = a.bits.intersectionCount(b.bits, in: range)
            both += common
            either += a.bits.cardinality(in: range) + b.bits.cardinality(in: range) - common
        }
        return either == 0 ? nil : Double(both) / Double(either)
    }

    public static func pair(_ a: Subnetwork, _ b: Subnetwork, map: ParameterMap) -> PairLayerView {
        let layers = (0..<map.layerCount).map { jaccard(a, b, in: map.ranges(layer: $0)) }
        var components: [EncoderComponent: Double?] = [:]
        for component in EncoderComponent.allCases {
            components[component] = jaccard(a, b, in: map.ranges(component: component))
        }
        let grid = (0..<map.layerCount).map { layer in
            EncoderComponent.allCases.map { jaccard(a, b, in: map.ranges(layer: layer, component: $0)) }
        }
        return PairLayerView(layers: layers, components: components, grid: grid)
    }

    /// The fraction of a sub-network that lies in each layer.
    public static func layerShare(_ subnetwork: Subnetwork, map: ParameterMap) -> [Double] {
        (0..<map.layerCount).map { layer in
            let inLayer = map.ranges(layer: layer).reduce(0) { $0 + subnetwork.bits.cardinality(in: $1) }
            return subnetwork.size == 0 ? 0 : Double(inLayer) / Double(subnetwork.size)
        }
    }

    /// Element-wise mean of several views (one per seed), ignoring missing entries.
    public static func mean(_ views: [PairLayerView]) -> PairLayerView? {
        guard let first = views.first else { return nil }
        func average(_ values: [Double?]) -> Double? {
            let present = values.compactMap { $0 }
            return present.isEmpty ? nil : present.reduce(0, +) / Double(present.count)
        }
        var components: [EncoderComponent: Double?] = [:]
        for component in EncoderComponent.allCases {
            components[component] = average(views.map { $0.components[component] ?? nil })
        }
        return PairLayerView(
            layers: first.layers.indices.map { layer in average(views.map { $0.layers[layer] }) },
            components: components,
            grid: first.grid.indices.map { layer in
                first.grid[layer].indices.map { column in average(views.map { $0.grid[layer][column] }) }
            })
    }
}
