import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport
@testable import XSNSEngine

/// `compute --sketch`: each sentence's sketch is G1·∇W·G2ᵀ summed over θ tensors, of the gradient of the
/// sentence's own mean loss. Checked against the explicit projection (Double, plain loops) of PyTorch's
/// per-sentence gradients (Tests/FixtureGenerator/gen_sketch.py), for the per-sentence estimator (from
/// materialised gradients) and the batch estimator (factored from activations, rescaled from the batch
/// loss); resuming from a snapshot keeps the sketches bit-identical; a sentence that predicts nothing
/// has a zero row in its place.
struct GradientSketchTests {
    struct Cases: Decodable {
        struct Sentence: Decodable { var input_ids: [Int32]; var labels: [Int32] }
        var sentences: [Sentence]
    }

    /// Σ over θ tensors of G1·M·G2ᵀ, in Double.
    static func explicitProjection(_ sketch: GradientSketch, layout: TensorLayout, gradient: (String) throws -> [Float])
        rethrows -> [Double]
    {
        let k = sketch.side
        var result = [Double](repeating: 0, count: sketch.dimension)
        for entry in layout.entries {
            let f = sketch.factors[entry.offset]!
            let m = try gradient(entry.name)
            let left = Array(UnsafeBufferPointer(start: f.left.pointer, count: k * f.rows))
            let right = Array(UnsafeBufferPointer(start: f.right.pointer, count: k * f.columns))
            for i in 0..<k {
                var row = [Double](repeating: 0, count: f.columns)  // (G1·M)[i, :]
                for r in 0..<f.rows where left[i * f.rows + r] != 0 {
                    let g = Double(left[i * f.rows + r])
                    for c in 0..<f.columns { row[c] += g * Double(m[r * f.columns + c]) }
                }
                for j in 0..<k {
                    var sum = 0.0
                    for c in 0..<f.columns { sum += row[c] * Double(right[j * f.columns + c]) }
                    result[i * k + j] += sum
                }
            }
        }
        return result
    }

    @Test(arguments: ["xlmr-tiny", "bert-tiny"], FisherEstimatorKind.allCases)
    func sketchesProjectPyTorchsPerSentenceGradients(model name: String, kind: FisherEstimatorKind) throws {
        let folder = Fixtures.url("sketch/\(name)")
        let cases = try JSONDecoder().decode(Cases.self, from: Data(contentsOf: folder.appendingPathComponent("cases.json")))
        let gradients = try SafeTensorsFile(url: folder.appendingPathComponent("gradients.safetensors"))
        let fixture = try ParityFixture(name)
        let layout = fixture.model.parameters.thetaLayout
        let sketch = try GradientSketch(layout: layout, dimension: 16, seed: 3)
        let masking = MaskingPolicy(probability: 0.15, maskTokenId: fixture.cases.mask_token_id,
                                    vocabularySize: fixture.model.parameters.config.vocabSize, specialTokenIds: [])
        let estimator = try FisherEstimator(model: fixture.model, kind: kind, batchSize: 4, masking: masking, seed: 1,
                                            sketch: sketch)
        for sentence in cases.sentences {
            try estimator.feed(masked: MaskedSequence(inputIds: sentence.input_ids, labels: sentence.labels))
        }
        let rows = try #require(try estimator.finish().sketches).values
        #expect(rows.count == cases.sentences.count * 16)
        var worst = 0.0
        for index in cases.sentences.indices {
            let expected = try Self.explicitProjection(sketch, layout: layout) { try gradients.floats("s\(index)/\($0)") }
            let actual = rows[(index * 16)..<((index + 1) * 16)].map(Double.init)
            let scale = expected.map(abs).max() ?? 1
            let difference = zip(actual, expected).map { abs($0 - $1) }.max() ?? .infinity
            worst = max(worst, difference / scale)
        }
        print("\(name) \(kind): sketch vs explicit projection of PyTorch's per-sentence gradients, max rel. diff \(worst)")
        #expect(worst <= 1e-4)
    }

    @Test(arguments: FisherEstimatorKind.allCases)
    func resumingKeepsTheSketchesAndEmptySentencesGetZeroRows(kind: FisherEstimatorKind) throws {
        let all = FisherEstimatorTests.sentences()
        func estimator() throws -> FisherEstimator {
            let plain = try FisherEstimatorTests.estimator(kind)
            return try FisherEstimator(model: plain.model, kind: kind, batchSize: 4, masking: plain.masking, seed: 42,
                                       sketch: GradientSketch(layout: plain.model.parameters.thetaLayout, dimension: 64, seed: 9))
        }
        let straight = try estimator()
        let fed = try all.map { try straight.feed($0) }
        let expected = try #require(try straight.finish().sketches)
        #expect(expected.layout.entries.first?.shape == [all.count, 64])
        for (index, sentence) in fed.enumerated() {
            let row = expected.values[(index * 64)..<((index + 1) * 64)]
            #expect(row.allSatisfy { $0 == 0 } == (sentence.masked.predictedCount == 0), "sentence \(index)")
        }
        #expect(fed.contains { $0.masked.predictedCount == 0 }, "the sample should include a sentence predicting nothing")

        let interrupted = try estimator()
        for ids in all.prefix(6) { try interrupted.feed(ids) }
        let resumed = try estimator()
        try resumed.restore(interrupted.snapshot())
        for ids in all.dropFirst(6) { try resumed.feed(ids) }
        #expect(try resumed.finish().sketches?.values == expected.values)

        let unsketched = try FisherEstimatorTests.estimator(kind)
        #expect(throws: InputError.self) { try unsketched.restore(interrupted.snapshot()) }
    }

    @Test func tensorsViewedAsMatrices() {
        #expect(GradientSketch.matrixShape([768, 3072]) == (768, 3072))
        #expect(GradientSketch.matrixShape([768]) == (24, 32))
        #expect(GradientSketch.matrixShape([3072]) == (48, 64))
        #expect(GradientSketch.matrixShape([48]) == (6, 8))
        #expect(GradientSketch.matrixShape([13]) == (1, 13))
        #expect(throws: InputError.self) { try GradientSketch(layout: TensorLayout(), dimension: 10, seed: 1) }
    }
}

/// A checkpoint's sketches must fit the estimator restoring it.
struct GradientSketchRestoreTests {
    @Test func sketchesOfAnotherDimensionOrCountAreRefused() throws {
        let plain = try FisherEstimatorTests.estimator(.xsns)
        func estimator(_ dimension: Int) throws -> FisherEstimator {
            try FisherEstimator(model: plain.model, kind: .xsns, batchSize: 4, masking: plain.masking, seed: 42,
                                sketch: GradientSketch(layout: plain.model.parameters.thetaLayout, dimension: dimension, seed: 9))
        }
        let source = try estimator(16)
        for ids in FisherEstimatorTests.sentences().prefix(6) { try source.feed(ids) }
        let snapshot = source.snapshot()
        #expect(throws: InputError.self) { try estimator(25).restore(snapshot) }
        var truncated = snapshot
        truncated.accumulators.values.removeLast(16)
        var layout = TensorLayout()
        for entry in snapshot.accumulators.layout.entries {
            layout.append(name: entry.name, shape: entry.name == FisherEstimator.sketchName ? [entry.shape[0] - 1, 16] : entry.shape)
        }
        truncated.accumulators.layout = layout
        #expect(throws: InputError.self) { try estimator(16).restore(truncated) }
        try estimator(16).restore(snapshot)
    }
}
