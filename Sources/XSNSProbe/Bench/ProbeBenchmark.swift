import Foundation
import XSNSEngine
import XSNSStorage
import XSNSTraining

/// `xsns bench --probe`: the work of one transfer run on a random-weight model of a real shape, timed in
/// its two parts — masked-LM fine-tuning steps of the whole base model (task adapter off, dropout on,
/// AdamW with clipping) on `batchSize` blocks of `blockLength` tokens, and tagging `sentences` target
/// sentences with the adapter on (batches of 32, dropout off). One untimed step first.
public struct ProbeBenchmark {
    public struct Result: Sendable {
        public var secondsPerStep: Double
        public var evaluationSeconds: Double
        public var peakResidentBytes: Int
        /// A run of `steps` fine-tuning steps plus the evaluation.
        public func runSeconds(steps: Int) -> Double { Double(steps) * secondsPerStep + evaluationSeconds }
    }

    public var shape: EncoderBenchmark.Shape
    public var blockLength = 512
    public var batchSize = 8
    public var steps = 3
    public var sentences = 1000
    public var sentenceLength = 32
    public var threads: Int

    public init(shape: EncoderBenchmark.Shape, threads: Int) {
        self.shape = shape
        self.threads = threads
    }

    public func run() throws -> Result {
        let config = try shape.config()
        try EncoderBenchmark.checkLength(blockLength, option: "--seq-len", config: config, shape: shape)
        try EncoderBenchmark.checkLength(sentenceLength, option: "--sentence-length", config: config, shape: shape)
        guard batchSize > 0, steps > 0, sentences > 0, threads > 0 else {
            throw InputError("--batch-size, --steps, --sentences and --threads must be positive")
        }
        BLASThreads.set(threads)
        let model = EncoderModel(parameters: try .random(config: config, seed: 1, adapter: AdapterSpec()), threads: threads)
        let head = TokenClassificationHead(labels: PartOfSpeechTags.labels.count, hidden: config.hiddenSize, seed: 2)
        let (blocks, masking) = EncoderBenchmark.syntheticInputs(config: config, sequences: (steps + 1) * batchSize,
                                                                 length: blockLength)
        var random = SeededRandom(seed: 3)
        let batches = stride(from: 0, to: blocks.count, by: batchSize).map { start in
            blocks[start..<(start + batchSize)].map { masking.mask($0, random: &random) }
        }
        model.adaptersEnabled = false
        let trainer = try MaskedLMTrainer(
            model: model,
            settings: .init(scope: .all, schedule: LinearSchedule(peak: 5e-5, warmupSteps: 0, totalSteps: steps + 1),
                            optimizer: AdamW.Settings(weightDecay: 0), clipNorm: 1),
            seed: 4)
        try trainer.step(batches[0])
        var start = DispatchTime.now().uptimeNanoseconds
        for batch in batches.dropFirst() { try trainer.step(batch) }
        let stepSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(steps)

        model.adaptersEnabled = true
        let (ids, _) = EncoderBenchmark.syntheticInputs(config: config, sequences: sentences, length: sentenceLength)
        // Every other content token starts a word.
        let labelled = ids.map { sequence in
            let positions = Array(stride(from: 1, to: sequence.count - 1, by: 2))
            return LabelledSentence(inputIds: sequence, positions: positions,
                                    labels: Array(repeating: 0, count: positions.count))
        }
        start = DispatchTime.now().uptimeNanoseconds
        _ = try TaggingAccuracy(sentences: labelled, model: model, head: head)
        let evaluationSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Result(secondsPerStep: stepSeconds, evaluationSeconds: evaluationSeconds,
                      peakResidentBytes: EncoderBenchmark.peakResidentBytes())
    }
}
