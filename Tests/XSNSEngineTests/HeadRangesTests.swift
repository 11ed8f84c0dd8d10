import Testing
import XSNSEngine

/// `EncoderParameters.ranges(ofHead:layer:)` (head masks on the update): the heads of a layer split its
/// query/key/value weights and biases and its attention-output weight exactly, without overlap, and
/// each element lands in the head its row (or, in the output weight, its column) implies.
struct HeadRangesTests {
    @Test func headsPartitionEachLayersAttentionParameters() throws {
        let parameters = try EncoderParameters.random(config: EncoderBenchmark.Shape.tiny.config(), seed: 5)
        let config = parameters.config, h = config.hiddenSize, d = config.headDim
        let perHead = ["attention.self.query.weight", "attention.self.key.weight", "attention.self.value.weight",
                       "attention.self.query.bias", "attention.self.key.bias", "attention.self.value.bias"]
        for layer in 0..<config.numLayers {
            var owner = [Int: Int]()
            for head in 0..<config.numHeads {
                for range in parameters.ranges(ofHead: head, layer: layer) {
                    for index in range {
                        #expect(owner.updateValue(head, forKey: index) == nil, "index \(index) in two heads")
                    }
                }
            }
            var expected = [Int: Int]()
            for entry in parameters.layout.entries where entry.name.contains("layer.\(layer).") {
                if perHead.contains(where: entry.name.hasSuffix) {
                    for i in 0..<entry.count { expected[entry.offset + i] = (entry.shape.count == 2 ? i / h : i) / d }
                } else if entry.name.hasSuffix("attention.output.dense.weight") {
                    for i in 0..<entry.count { expected[entry.offset + i] = (i % h) / d }
                }
            }
            #expect(expected.count == 4 * h * h + 3 * h)
            #expect(owner == expected, "layer \(layer)")
        }
    }
}
