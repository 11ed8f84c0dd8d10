import Testing
@testable import XSNSEngine

/// A forward pass that keeps no layers (EMB's) reuses one layer's buffers and two hidden-state slots; it
/// must give the last hidden states of a pass that keeps every layer, bit for bit, at any depth.
struct ForwardOnlyTests {
    @Test(arguments: ["xlm-roberta", "bert"], [1, 2, 3, 4])
    func lastHiddenStatesEqualAKeepingPass(modelType: String, layers: Int) throws {
        let config = try EncoderConfig(
            modelType: modelType, vocabSize: 13, hiddenSize: 6, numLayers: layers, numHeads: 3, intermediateSize: 10,
            layerNormEps: 1e-5, maxPositionEmbeddings: 12, typeVocabSize: 2, padTokenId: 1,
            hiddenDropout: 0.2, attentionDropout: 0.3)
        let model = EncoderModel(parameters: try EncoderParameters.random(config: config, seed: 5, standardDeviation: 0.5),
                                 threads: 2)
        let batch: [[Int32]] = [[0, 5, 12, 3, 7, 2], [0, 8, 3, 2], [0, 4, 4, 9, 11, 6, 10, 2]]
        let rows = batch.reduce(0) { $0 + $1.count } * config.hiddenSize
        func lastHidden(keepsLayers: Bool) throws -> [Float] {
            var streams = [SeededRandom(seed: 0)]
            let state = try model.forward(batch, groups: .whole(batch.count), dropout: false, streams: &streams,
                                          keepsLayers: keepsLayers)
            return Array(UnsafeBufferPointer(start: state.lastHidden, count: rows))
        }
        let kept = try lastHidden(keepsLayers: true)
        let streamed = try lastHidden(keepsLayers: false)
        #expect(kept.map(\.bitPattern) == streamed.map(\.bitPattern))
        #expect(!kept.contains { $0.isNaN } && kept.contains { $0 != 0 })
        // And the pooled means come from that pass.
        let pooled = try model.meanPooledLastHiddenStates(batch)
        let h = config.hiddenSize
        let firstMean = (0..<h).map { j in Float((0..<6).reduce(0.0) { $0 + Double(kept[$1 * h + j]) } / 6) }
        #expect(pooled[0] == firstMean)
    }
}
