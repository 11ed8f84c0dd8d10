import Foundation
import Testing
import XSNSEngine
import XSNSStorage
import XSNSTestSupport
import XSNSTraining

/// `EncoderModel.headMask` against PyTorch (Tests/FixtureGenerator/gen_head_mask.py: each switched-off
/// head's context multiplied by 0 by a hook, as HF's removed `head_mask` did): the masked-LM loss of every
/// batch, and every θ gradient of the first one, on the tiny XLM-R and BERT models; and the head-gate gradients
/// (head importance) with and without the mask, a switched-off head's included.
struct HeadMaskParityTests {
    struct Cases: Decodable {
        struct Sequence: Decodable { var input_ids: [Int32]; var labels: [Int32] }
        struct Case: Decodable {
            var loss_masked: Double
            var loss_unmasked: Double
            var gate_gradient_masked_float64: [[Double]]
            var gate_gradient_unmasked_float64: [[Double]]
        }
        var head_mask: [[Int]]
        var batches: [[Sequence]]
        var cases: [Case]
    }

    static func fixture(_ name: String) throws -> (folder: URL, cases: Cases, model: EncoderModel, batches: [[MaskedSequence]]) {
        let folder = Fixtures.url("heads/\(name)")
        let cases = try JSONDecoder().decode(Cases.self, from: Data(contentsOf: folder.appendingPathComponent("cases.json")))
        let batches = cases.batches.map { $0.map { MaskedSequence(inputIds: $0.input_ids, labels: $0.labels) } }
        return (folder, cases, try TrainingFixture(name).model(), batches)
    }

    @Test(arguments: ["xlmr-tiny", "bert-tiny"])
    func lossesAndGradientsWithHeadsOff(model name: String) throws {
        let (folder, cases, model, batches) = try Self.fixture(name)
        func loss(_ batch: [MaskedSequence], gradient: inout [Float]) throws -> Double {
            var random = SeededRandom(seed: 1)
            return try gradient.withUnsafeMutableBufferPointer {
                try model.maskedLMLossAndGradient(batch, groups: [.theta], dropout: false, random: &random,
                                                  gradient: $0.baseAddress!)
            } ?? .nan
        }
        var gradient = [Float](repeating: 0, count: model.parameters.layout.totalCount)
        for (batch, expected) in zip(batches, cases.cases) {
            let unmasked = try loss(batch, gradient: &gradient)
            #expect(abs(unmasked - expected.loss_unmasked) <= 1e-5 * expected.loss_unmasked)
        }
        model.headMask = cases.head_mask.flatMap { $0.map(Float.init) }
        var first: [Float] = []
        for (index, (batch, expected)) in zip(batches, cases.cases).enumerated() {
            gradient = [Float](repeating: 0, count: gradient.count)
            let masked = try loss(batch, gradient: &gradient)
            #expect(abs(masked - expected.loss_masked) <= 1e-5 * expected.loss_masked, "\(name) batch \(index)")
            if index == 0 { first = gradient }
        }
        let worst = try worstRelativeDifference(
            actual: FlatTensors(layout: model.parameters.layout, values: first),
            reference: SafeTensorsFile(url: folder.appendingPathComponent("gradients.safetensors")), baseline: nil,
            label: "\(name) θ gradients with heads off")
        #expect(worst <= 1e-4)
    }

    @Test(arguments: ["xlmr-tiny", "bert-tiny"])
    func headGateGradientsWithAndWithoutHeadsOff(model name: String) throws {
        let (_, cases, model, batches) = try Self.fixture(name)
        let mask = cases.head_mask.flatMap { $0.map(Float.init) }
        var worst = 0.0
        for (index, (batch, expected)) in zip(batches, cases.cases).enumerated() {
            for (headMask, reference) in [(nil, expected.gate_gradient_unmasked_float64),
                                          (mask, expected.gate_gradient_masked_float64)] {
                model.headMask = headMask
                let pass = try #require(try model.headGatePass(batch))
                let flat = reference.flatMap { $0 }
                let scale = flat.map(abs).max() ?? 1
                let difference = zip(pass.gateGradient, flat).map { abs(Double($0) - $1) }.max() ?? .infinity
                worst = max(worst, difference / scale)
                #expect(difference <= 1e-4 * scale, "\(name) batch \(index) mask \(headMask != nil): \(pass.gateGradient) vs \(flat)")
                let loss = headMask == nil ? expected.loss_unmasked : expected.loss_masked
                #expect(abs(pass.loss - loss) <= 1e-5 * loss)
                #expect(pass.predicted == batch.reduce(0) { $0 + $1.predictedCount })
            }
        }
        print("\(name) head-gate gradients (off heads included): max |Swift − PyTorch float64| / max|g| = \(worst)")
    }
}
