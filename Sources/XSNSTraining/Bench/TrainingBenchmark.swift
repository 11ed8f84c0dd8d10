import Foundation
import XSNSEngine
import XSNSStorage

/// `xsns bench --train`: whole masked-LM training steps (forward, backward into every trained tensor,
/// gradient norm, AdamW update) on a random-weight model of a real shape, timed after one untimed step
/// that allocates the buffers and the optimizer's moments. Dropout is on, as in training.
public struct TrainingBenchmark {
    public struct Result: Sendable {
        public var secondsPerStep: Double
        /// Of which the AdamW update (memory-bound, so it shows whether the machine's bandwidth or its
        /// GEMM rate limits a step).
        public var optimizerSecondsPerStep: Double
        public var trainedParameters: Int
        public var peakResidentBytes: Int
    }

    public var shape: EncoderBenchmark.Shape
    public var sequenceLength: Int
    public var batchSize: Int
    public var steps: Int
    public var scope: TrainingScope
    public var threads: Int

    public init(shape: EncoderBenchmark.Shape, sequenceLength: Int, batchSize: Int, steps: Int, scope: TrainingScope,
                threads: Int) {
        self.shape = shape
        self.sequenceLength = sequenceLength
        self.batchSize = batchSize
        self.steps = steps
        self.scope = scope
        self.threads = threads
    }

    public func run() throws -> Result {
        let config = try shape.config()
        try EncoderBenchmark.checkLength(sequenceLength, option: "--seq-len", config: config, shape: shape)
        guard batchSize > 0, steps > 0, threads > 0 else {
            throw InputError("--batch-size, --steps and --threads must be positive")
        }
        BLASThreads.set(threads)
        let model = EncoderModel(parameters: try EncoderParameters.random(config: config, seed: 1), threads: threads)
        let trainer = try MaskedLMTrainer(
            model: model,
            settings: .init(scope: scope, schedule: LinearSchedule(peak: 5e-5, warmupSteps: 0, totalSteps: steps + 1),
                            optimizer: AdamW.Settings(weightDecay: 0)),
            seed: 3)
        let (inputs, masking) = EncoderBenchmark.syntheticInputs(config: config, sequences: (steps + 1) * batchSize,
                                                                 length: sequenceLength)
        var random = SeededRandom(seed: 4)
        let batches = stride(from: 0, to: inputs.count, by: batchSize).map { start in
            inputs[start..<(start + batchSize)].map { masking.mask($0, random: &random) }
        }

        try trainer.step(batches[0])
        var updateSeconds = 0.0
        let start = DispatchTime.now().uptimeNanoseconds
        for batch in batches.dropFirst() {
            try trainer.step(batch)
            updateSeconds += trainer.lastUpdateSeconds
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Result(secondsPerStep: seconds / Double(steps),
                      optimizerSecondsPerStep: updateSeconds / Double(steps),
                      trainedParameters: trainer.ranges.reduce(0) { $0 + $1.count },
                      peakResidentBytes: EncoderBenchmark.peakResidentBytes())
    }
}
