import Foundation
import XSNSStorage

/// `xsns bench`: the Fisher pass (masking, forward, backward, accumulation) on a random-weight model of a
/// real shape, timed, with the machine's large-GEMM rate measured in the same run for comparison.
public struct EncoderBenchmark {
    public enum Shape: String, CaseIterable, Sendable {
        case xlmrBase = "xlmr-base", mbertBase = "mbert-base", tiny

        public func config() throws -> EncoderConfig {
            switch self {
            case .xlmrBase:
                return try EncoderConfig(modelType: "xlm-roberta", vocabSize: 250_002, hiddenSize: 768, numLayers: 12,
                                         numHeads: 12, intermediateSize: 3072, layerNormEps: 1e-5,
                                         maxPositionEmbeddings: 514, typeVocabSize: 1, padTokenId: 1)
            case .mbertBase:
                return try EncoderConfig(modelType: "bert", vocabSize: 119_547, hiddenSize: 768, numLayers: 12,
                                         numHeads: 12, intermediateSize: 3072, layerNormEps: 1e-12,
                                         maxPositionEmbeddings: 512, typeVocabSize: 2, padTokenId: 0)
            case .tiny:
                return try EncoderConfig(modelType: "xlm-roberta", vocabSize: 301, hiddenSize: 48, numLayers: 3,
                                         numHeads: 3, intermediateSize: 80, layerNormEps: 1e-5,
                                         maxPositionEmbeddings: 1026, typeVocabSize: 1, padTokenId: 1)
            }
        }
    }

    /// One line for the benchmarks' length options: between 3 and what the shape's positions embed.
    package static func checkLength(_ length: Int, option: String, config: EncoderConfig, shape: Shape) throws {
        guard length >= 3, length <= config.positionLimit else {
            throw InputError("\(option) must be between 3 and \(config.positionLimit) for \(shape.rawValue)")
        }
    }

    public struct Result: Sendable {
        public var secondsPerSequence: Double
        /// Useful floating-point operations of forward + backward per second.
        public var gflops: Double
        /// A large square sgemm's rate on this machine with the same thread count.
        public var sgemmGflops: Double
        public var efficiency: Double { gflops / sgemmGflops }
        public var peakResidentBytes: Int
    }

    public var shape: Shape
    public var sequenceLength: Int
    public var sequences: Int
    public var estimator: FisherEstimatorKind
    public var threads: Int

    public init(shape: Shape, sequenceLength: Int, sequences: Int, estimator: FisherEstimatorKind, threads: Int) {
        self.shape = shape
        self.sequenceLength = sequenceLength
        self.sequences = sequences
        self.estimator = estimator
        self.threads = threads
    }

    public func run() throws -> Result {
        let config = try shape.config()
        try Self.checkLength(sequenceLength, option: "--seq-len", config: config, shape: shape)
        guard sequences > 0 else { throw InputError("--sequences must be positive") }
        guard threads > 0 else { throw InputError("--threads must be positive") }
        BLASThreads.set(threads)
        // Measured before and after the timed pass and averaged: on a shared machine the load changes.
        let sgemmBefore = Self.measureSgemm()

        let model = EncoderModel(parameters: try EncoderParameters.random(config: config, seed: 1), threads: threads)
        let (inputs, masking) = Self.syntheticInputs(config: config, sequences: sequences, length: sequenceLength)

        // The same sequences once untimed first, on the same estimator: buffers are allocated and pages
        // touched on first use, the Fisher sum's and the largest pass's included, as a run does once (the
        // PyTorch peers likewise zero their sums and take one step before timing).
        let fisher = try FisherEstimator(model: model, kind: estimator, batchSize: 4, masking: masking, seed: 4)
        for ids in inputs { try fisher.feed(ids) }
        try fisher.flush()
        let warmUpMasked = fisher.progress.maskedTokens

        let start = DispatchTime.now().uptimeNanoseconds
        for ids in inputs { try fisher.feed(ids) }
        try fisher.flush()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let sgemmRate = (sgemmBefore + Self.measureSgemm()) / 2
        let flops = Self.usefulFlops(config: config, lengths: inputs.map(\.count),
                                     predicted: fisher.progress.maskedTokens - warmUpMasked)
        return Result(secondsPerSequence: seconds / Double(sequences), gflops: flops / seconds / 1e9,
                      sgemmGflops: sgemmRate, peakResidentBytes: Self.peakResidentBytes())
    }

    /// Random token ids between the special tokens (seeded), and the masking policy of the shape's family.
    package static func syntheticInputs(config: EncoderConfig, sequences: Int, length: Int) -> ([[Int32]], MaskingPolicy) {
        let vocabulary = Int32(config.vocabSize)
        let (cls, sep, mask): (Int32, Int32, Int32) = config.family == .roberta
            ? (0, 2, vocabulary - 1) : (101 % vocabulary, 102 % vocabulary, 103 % vocabulary)
        let masking = MaskingPolicy(maskTokenId: mask, vocabularySize: config.vocabSize,
                                    specialTokenIds: [cls, sep, mask, Int32(config.padTokenId)])
        var random = SeededRandom(seed: 2)
        let inputs: [[Int32]] = (0..<sequences).map { _ in
            [cls] + (0..<(length - 2)).map { _ in Int32(5 + random.nextInt(below: config.vocabSize - 6)) } + [sep]
        }
        return (inputs, masking)
    }

    /// Multiply-adds of every GEMM-shaped operation, ×2: the encoder forward, its backward (input
    /// gradients except into the embeddings, and all θ weight gradients), and the MLM head at predicted
    /// positions only (forward, and backward to its input).
    static func usefulFlops(config: EncoderConfig, lengths: [Int], predicted: Int) -> Double {
        let h = Double(config.hiddenSize), i = Double(config.intermediateSize), v = Double(config.vocabSize)
        let layers = Double(config.numLayers)
        var total = 0.0
        for length in lengths {
            let t = Double(length)
            let linear = 2 * t * h * (4 * h + 2 * i)
            let attention = 4 * t * t * h
            total += layers * (linear + attention)  // forward
            total += layers * (2 * linear + 2 * attention) - 3 * 2 * t * h * h  // backward, no dx into layer 0
        }
        let m = Double(predicted)
        total += 2 * (2 * m * h * h + 2 * m * h * v)
        return total
    }

    /// Best of three 2048³ sgemms.
    package static func measureSgemm() -> Double {
        let n = 2048
        let a = FloatBuffer(count: n * n), b = FloatBuffer(count: n * n), c = FloatBuffer(count: n * n)
        for index in 0..<(n * n) {
            a[index] = Float(index % 7) * 0.01
            b[index] = Float(index % 5) * 0.01
        }
        var best = Double.infinity
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            sgemm(transposeA: false, transposeB: false, m: n, n: n, k: n, a: a.pointer, lda: n, b: b.pointer, ldb: n,
                  beta: 0, c: c.pointer, ldc: n)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return 2 * pow(Double(n), 3) / best / 1e9
    }

    package static func peakResidentBytes() -> Int {
        #if os(Linux)
        return processUsage().ru_maxrss * 1024  // kilobytes on Linux
        #else
        return processUsage().ru_maxrss  // bytes on macOS
        #endif
    }

    /// User + system time of the whole process so far, every thread.
    package static func processCPUSeconds() -> Double {
        let usage = processUsage()
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    private static func processUsage() -> rusage {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return usage
    }
}
