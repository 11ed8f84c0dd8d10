import Foundation
import XSNSEngine
import XSNSStorage

/// Token classification on the encoder's last hidden states: dropout, then one linear layer to the
/// labels, as Hugging Face's `…ForTokenClassification` head (and AdapterHub's static head, same names);
/// loss = mean softmax cross-entropy over the labelled tokens (label −100: not counted).
public final class TokenClassificationHead {
    public static let weightName = "classifier.weight"
    public static let biasName = "classifier.bias"

    public let labelCount: Int
    public let hidden: Int
    public let dropoutProbability: Float
    /// weight [labels × hidden] then bias [labels]: one flat block, as the encoder's parameters.
    public let layout: TensorLayout
    var values: [Float]

    /// A new head: weights normal with σ = 0.02 (Hugging Face's initializer_range), bias zero.
    public init(labels: Int, hidden: Int, dropout: Float = 0.1, seed: UInt64) {
        labelCount = labels
        self.hidden = hidden
        dropoutProbability = dropout
        layout = Self.layout(labels: labels, hidden: hidden)
        var random = SeededRandom(seed: seed ^ 0xC1A5_51F1_E400_0000)
        values = (0..<layout.totalCount).map { i in
            i < labels * hidden ? random.nextNormal(standardDeviation: 0.02) : 0
        }
    }

    /// A saved head (`classifier.weight` [labels, hidden], `classifier.bias` [labels]).
    public init(tensor: (String) throws -> [Float]?, hidden: Int, dropout: Float = 0.1) throws {
        guard let weight = try tensor(Self.weightName), let bias = try tensor(Self.biasName), !bias.isEmpty,
              weight.count == bias.count * hidden else {
            throw TrainingError("the task head needs \(Self.weightName) [labels, \(hidden)] and \(Self.biasName) [labels]")
        }
        labelCount = bias.count
        self.hidden = hidden
        dropoutProbability = dropout
        layout = Self.layout(labels: bias.count, hidden: hidden)
        values = weight + bias
    }

    static func layout(labels: Int, hidden: Int) -> TensorLayout {
        TensorLayout([(weightName, [labels, hidden]), (biasName, [labels])])
    }

    public var tensors: FlatTensors { FlatTensors(layout: layout, values: values) }

    /// Logits [rows × labels] of packed hidden states (dropout off).
    public func logits(hidden states: UnsafePointer<Float>, rows: Int) -> [Float] {
        var logits = [Float](repeating: 0, count: rows * labelCount)
        values.withUnsafeBufferPointer { w in
            logits.withUnsafeMutableBufferPointer { out in
                Linear.forward(output: out.baseAddress!, input: states, weight: w.baseAddress!,
                               bias: w.baseAddress! + labelCount * hidden, rows: rows, inFeatures: hidden,
                               outFeatures: labelCount)
            }
        }
        return logits
    }

    /// The mean loss over labelled rows (nil when none is labelled, and nothing written); dL/d(hidden
    /// states) into `hiddenGradient` [rows × hidden] (overwritten) and, when given, the head's own
    /// gradient added into `parameterGradient` (the head's layout).
    public func lossAndGradient(
        hidden states: UnsafePointer<Float>, rows: Int, labels: [Int32], dropout: Bool, random: inout SeededRandom,
        hiddenGradient: UnsafeMutablePointer<Float>, parameterGradient: UnsafeMutablePointer<Float>?
    ) -> Double? {
        precondition(labels.count == rows, "one label per row")
        let labelled = labels.filter { $0 != MaskedSequence.ignoredLabel }.count
        guard labelled > 0 else { return nil }
        let h = hidden, n = labelCount
        var input = Array(UnsafeBufferPointer(start: states, count: rows * h))
        var keep = [UInt8](repeating: 1, count: rows * h)
        let probability = dropout ? dropoutProbability : 0
        input.withUnsafeMutableBufferPointer { x in
            keep.withUnsafeMutableBufferPointer { k in
                Dropout.forward(x.baseAddress!, keep: k.baseAddress!, count: rows * h, probability: probability,
                                random: &random)
            }
        }
        var logits = input.withUnsafeBufferPointer { self.logits(hidden: $0.baseAddress!, rows: rows) }
        var loss = 0.0
        logits.withUnsafeMutableBufferPointer { z in
            for row in 0..<rows {
                let r = z.baseAddress! + row * n
                guard labels[row] != MaskedSequence.ignoredLabel else {
                    r.update(repeating: 0, count: n)
                    continue
                }
                var label = labels[row]
                loss += CrossEntropy.forward(r, labels: &label, rows: 1, classes: n)
                CrossEntropy.backward(r, labels: &label, rows: 1, classes: n, scale: 1 / Float(labelled))
            }
        }
        values.withUnsafeBufferPointer { w in
            logits.withUnsafeBufferPointer { dz in
                input.withUnsafeBufferPointer { x in
                    Linear.backward(inputGradient: hiddenGradient, weightGradient: parameterGradient,
                                    biasGradient: parameterGradient.map { $0 + n * h }, accumulateParameters: true,
                                    outputGradient: dz.baseAddress!, input: x.baseAddress!, weight: w.baseAddress!,
                                    rows: rows, inFeatures: h, outFeatures: n)
                }
            }
        }
        if probability > 0 {
            keep.withUnsafeBufferPointer { k in
                Dropout.backward(hiddenGradient, keep: k.baseAddress!, count: rows * h, probability: probability)
            }
        }
        return loss / Double(labelled)
    }

    /// Updates in place (the optimizer's view of the head's block).
    func withValues<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        try values.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }
}
