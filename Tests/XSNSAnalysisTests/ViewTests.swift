import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport

@testable import XSNSAnalysis

/// Per-layer, per-component and per-head views against the numpy reference in gen_analysis.py.
struct ViewTests {
    struct Fixture: Decodable {
        struct Tensor: Decodable { let name: String; let shape: [Int] }
        let layers: Int
        let heads: Int
        let languages: [String]
        let layout: [Tensor]
        let p: Double
        let pair: [String]
        let per_layer: [Double?]
        let per_component: [String: Double?]
        let component_order: [String]
        let grid: [[Double?]]
        let share: [String: [Double]]
        let head_mass: [String: [[Double]]]
        let head_fraction: Double
        let head_order: [String: [Int]]
        let head_usage: [[Int]]
        let head_cosine: [String: Double]
    }

    static func load() throws -> (Fixture, [String: FlatTensors]) {
        let fixture: Fixture = try AnalysisFixtures.json("views.json")
        let layout = TensorLayout(fixture.layout.map { ($0.name, $0.shape) })
        let blob = try AnalysisFixtures.floats("views_fisher.f32")
        var fisher: [String: FlatTensors] = [:]
        for (index, language) in fixture.languages.enumerated() {
            let start = index * layout.totalCount
            fisher[language] = FlatTensors(layout: layout, values: Array(blob[start..<(start + layout.totalCount)]))
        }
        return (fixture, fisher)
    }

    @Test func layerAndComponentJaccardMatchNumpy() throws {
        let (fixture, fisher) = try Self.load()
        let map = ParameterMap(fisher[fixture.pair[0]]!.layout)
        #expect(map.layerCount == fixture.layers)
        #expect(EncoderComponent.allCases.map(\.rawValue) == fixture.component_order)
        let a = try SubnetworkIndex(fisher[fixture.pair[0]]!).subnetwork(p: fixture.p)
        let b = try SubnetworkIndex(fisher[fixture.pair[1]]!).subnetwork(p: fixture.p)
        let view = LayerViews.pair(a, b, map: map)
        #expect(zip(view.layers, fixture.per_layer).allSatisfy { close($0, $1, tolerance: 1e-12) })
        for component in EncoderComponent.allCases {
            #expect(close(view.components[component] ?? nil, fixture.per_component[component.rawValue] ?? nil, tolerance: 1e-12), "\(component)")
        }
        for (row, expected) in zip(view.grid, fixture.grid) {
            #expect(zip(row, expected).allSatisfy { close($0, $1, tolerance: 1e-12) })
        }
        for language in fixture.languages {
            let share = LayerViews.layerShare(try SubnetworkIndex(fisher[language]!).subnetwork(p: fixture.p), map: map)
            #expect(zip(share, fixture.share[language]!).allSatisfy { close($0, $1, tolerance: 1e-12) }, "\(language)")
        }
    }

    @Test func headViewsMatchNumpy() throws {
        let (fixture, fisher) = try Self.load()
        let map = ParameterMap(fisher[fixture.languages[0]]!.layout)
        var masks: [String: HeadMask] = [:]
        for language in fixture.languages {
            let mass = try HeadViews.fisherMass(fisher[language]!, map: map, heads: fixture.heads)
            for (row, expected) in zip(mass.values, fixture.head_mass[language]!) {
                for (value, reference) in zip(row, expected) {
                    #expect(abs(value - reference) <= 1e-9 * abs(reference), "\(language)")
                }
            }
            #expect(mass.ranking.map { $0.layer * fixture.heads + $0.head } == fixture.head_order[language])
            masks[language] = mass.mask(fraction: fixture.head_fraction)
        }
        #expect(HeadMask.usage(fixture.languages.map { masks[$0]! }) == fixture.head_usage)
        for a in fixture.languages {
            for b in fixture.languages {
                #expect(close(masks[a]!.cosine(masks[b]!), fixture.head_cosine["\(a)-\(b)"], tolerance: 1e-12))
            }
        }
    }

    @Test func tensorNamesOfEitherFamilyAreParsed() {
        let layout = TensorLayout([
            ("bert.encoder.layer.0.attention.output.dense.weight", [2, 2]),
            ("bert.encoder.layer.11.output.dense.bias", [2]),
            ("bert.encoder.layer.3.output.LayerNorm.bias", [2]),
            ("roberta.encoder.layer.2.attention.output.LayerNorm.weight", [2]),
            ("bert.pooler.dense.weight", [2]),
        ])
        let tensors = ParameterMap(layout).tensors
        #expect(tensors.map(\.layer) == [0, 11, 3, 2, nil])
        #expect(tensors.map(\.component) == [.attentionOutput, .output, .outputLayerNorm, .attentionLayerNorm, nil])
    }
}

extension ViewTests {
    @Test func malformedAttentionTensorsAreInputErrors() {
        let hidden = 4
        var tensors: [(String, [Int])] = []
        for part in ["query", "key", "value"] {
            tensors.append(("bert.encoder.layer.0.attention.self.\(part).weight", [hidden, hidden]))
            tensors.append(("bert.encoder.layer.0.attention.self.\(part).bias", [part == "value" ? 1 : hidden]))
        }
        tensors.append(("bert.encoder.layer.0.attention.output.dense.weight", [hidden, hidden]))
        let layout = TensorLayout(tensors)
        let fisher = FlatTensors(zerosLike: layout)
        #expect(throws: InputError.self) { try HeadViews.fisherMass(fisher, map: ParameterMap(layout), heads: 2) }
        #expect(throws: InputError.self) { try HeadViews.fisherMass(fisher, map: ParameterMap(layout), heads: 3) }
    }
}

extension ViewTests {
    @Test func absurdLayerNumbersAreNotLayers() {
        let layout = TensorLayout([("roberta.encoder.layer.123456789.output.dense.bias", [2])])
        #expect(ParameterMap(layout).layerCount == 0)
    }
}
