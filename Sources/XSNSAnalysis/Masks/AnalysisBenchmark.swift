import Dispatch
import XSNSStorage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The analysis half of `xsns bench`: how long a new p takes to give the full Jaccard matrix with many
/// languages of real model size held in memory (the TUI's p slider must feel instant).
public enum AnalysisBenchmark {
    public struct Result: Sendable {
        public let languages: Int
        public let parameters: Int
        /// Wall time to build all languages' indexes (once per session load).
        public let indexSeconds: Double
        /// Wall time from a new p to the full matrix (masks for every language + every pair's popcounts).
        public let matrixSeconds: Double
        /// The part of `matrixSeconds` spent deriving the masks (the rest is pairwise popcounts).
        public let maskSeconds: Double
        /// CPU time of all threads for the same step: on a shared machine the wall time also counts other
        /// processes, this does not.
        public let matrixProcessorSeconds: Double
        /// The part of `matrixProcessorSeconds` spent deriving the masks.
        public let maskProcessorSeconds: Double
        public let p: Double

        public var json: String {
            JSONValue.object([
                ("languages", .integer(languages)), ("parameters", .integer(parameters)), ("p", .number(p)),
                ("index_seconds", .number(indexSeconds)), ("matrix_seconds", .number(matrixSeconds)),
                ("mask_seconds", .number(maskSeconds)), ("matrix_cpu_seconds", .number(matrixProcessorSeconds)),
                ("mask_cpu_seconds", .number(maskProcessorSeconds)),
            ]).rendered
        }

        public var text: String {
            "\(languages) languages × \(parameters) parameters: indexes built in \(NumberText.fixed(indexSeconds, 2)) s; "
                + "full Jaccard matrix at a new p (\(NumberText.exact(p))) in \(NumberText.fixed(matrixSeconds, 3)) s"
                + " (masks \(NumberText.fixed(maskSeconds, 3)) s); CPU time \(NumberText.fixed(matrixProcessorSeconds, 3)) s"
                + " (masks \(NumberText.fixed(maskProcessorSeconds, 3)) s)"
        }
    }

    /// XLM-R base: 12 layers × 7,087,872 encoder parameters.
    public static let xlmrBaseParameters = 85_054_464

    /// Random heavy-tailed Fisher-like vectors (deterministic), indexed; the matrix is computed once at
    /// p = 0.15 to warm up, then timed at p = 0.1.
    public static func run(languages: Int = 20, parameters: Int = xlmrBaseParameters) throws -> Result {
        guard languages >= 2, parameters >= 1 else { throw InputError("the benchmark needs ≥ 2 languages and ≥ 1 parameter") }
        let layout = TensorLayout([("encoder.layer.0.bench.weight", [parameters])])
        let names = (0..<languages).map { "l\($0)" }
        let start = DispatchTime.now()
        // Random values are never NaN, so building cannot fail; nil would only mean an empty vector.
        let built = ParallelMap.map(languages) { language in
            try? SubnetworkIndex(FlatTensors(layout: layout, values: randomFisher(count: parameters, seed: UInt64(language))))
        }.compactMap { $0 }
        guard built.count == languages else { throw RuntimeFailure("benchmark vectors could not be indexed") }
        let indexed = DispatchTime.now()
        let collection = try SubnetworkCollection(
            languages: names, indexes: Dictionary(uniqueKeysWithValues: zip(names, built.map { [0: $0] })))
        _ = try collection.matrix(p: 0.15, metric: .jaccard)
        let cpuBefore = processorSeconds()
        let before = DispatchTime.now()
        let masks = try collection.subnetworks(p: 0.1)
        let masked = DispatchTime.now()
        let cpuMasked = processorSeconds()
        _ = PairwiseOverlaps(languages: names, subnetworks: masks).matrices(metric: .jaccard)
        let after = DispatchTime.now()
        let cpuAfter = processorSeconds()
        return Result(
            languages: languages, parameters: parameters,
            indexSeconds: Double(indexed.uptimeNanoseconds - start.uptimeNanoseconds) / 1e9,
            matrixSeconds: Double(after.uptimeNanoseconds - before.uptimeNanoseconds) / 1e9,
            maskSeconds: Double(masked.uptimeNanoseconds - before.uptimeNanoseconds) / 1e9,
            matrixProcessorSeconds: cpuAfter - cpuBefore, maskProcessorSeconds: cpuMasked - cpuBefore, p: 0.1)
    }

    static func processorSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// u³ of a uniform u in (0, 1): skewed towards zero as Fisher values are (xorshift64*, fixed seed).
    static func randomFisher(count: Int, seed: UInt64) -> [Float] {
        var state = 0x9E37_79B9_7F4A_7C15 &+ seed &* 0xBF58_476D_1CE4_E5B9
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                state ^= state >> 12
                state ^= state << 25
                state ^= state >> 27
                let u = Float((state &* 0x2545_F491_4F6C_DD1D) >> 40) * (1 / 16_777_216)
                buffer[index] = u * u * u
            }
            initialized = count
        }
    }
}
