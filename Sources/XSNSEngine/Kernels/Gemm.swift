import CBLAS
import Foundation

/// Row-major single-precision GEMM, C = alpha·op(A)·op(B) + beta·C, through OpenBLAS.
/// Dimensions are already validated by the callers (they come from a validated `EncoderConfig`).
@inline(__always)
func sgemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// The thread count the caller asked for (`xsns … --threads N`), kept apart from OpenBLAS's own
/// setting: the encoder switches OpenBLAS to one thread during its passes (it splits work itself), and
/// a model created meanwhile must still see the requested count.
public enum BLASThreads {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var requested = 0

    /// Sets the thread count for OpenBLAS and for encoder models created afterwards.
    public static func set(_ count: Int) {
        let threads = max(1, count)
        lock.withLock { requested = threads }
        openblas_set_num_threads(Int32(threads))
    }

    /// The count last given to `set`, or OpenBLAS's default (the core count) when never set.
    public static var current: Int {
        let value = lock.withLock { requested }
        return value > 0 ? value : Int(openblas_get_num_threads())
    }

    /// Runs `body` with OpenBLAS single-threaded, then returns it to the requested count.
    static func singleThreaded<Result>(_ body: () throws -> Result) rethrows -> Result {
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(Int32(current)) }
        return try body()
    }
}

/// The kernels OpenBLAS runs on this CPU, e.g. "Haswell" (AVX2) or "SkylakeX" (AVX-512), chosen by OpenBLAS
/// or forced by `OPENBLAS_CORETYPE`. Benchmark reports name them: they set the GEMM rate (on an AVX-512 CPU
/// the two differ by up to 2×).
public var openBLASKernels: String {
    openblas_get_corename().map { String(cString: $0) } ?? "unknown"
}
