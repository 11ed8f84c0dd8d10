import XSNSStorage

/// A D-dimensional random projection of a sentence's θ gradient (TracIn with random projections, Pruthi
/// et al. 2020, as Choenni et al. use it for cross-language influence), D = k².
///
/// Each θ tensor is an a×b matrix M (a weight [out, in] as stored; a vector of n values reshaped row-major
/// to a×b with a the largest divisor of n not above √n) and contributes G1·M·G2ᵀ (k×k, row-major) to the
/// sketch, G1 ∈ R^{k×a} and G2 ∈ R^{k×b} with entries N(0, 1/√D) drawn from `seed` tensor by tensor in
/// layout order (G1 then G2), so E⟨sketch(u), sketch(v)⟩ = ⟨u, v⟩. A weight's projection is formed from
/// the layer's output gradients and inputs without materialising its gradient: G1·(dYᵀX)·G2ᵀ =
/// (dY·G1ᵀ)ᵀ(X·G2ᵀ). Vectors are reshaped rather than projected with a dense D×n matrix, which for
/// XLM-R-base would take 0.5 GB.
public final class GradientSketch: @unchecked Sendable {
    public let dimension: Int
    public let side: Int
    public let seed: UInt64
    /// The projection `compute --sketch` uses: every run of every session the same, so sketches compare.
    public static let defaultSeed: UInt64 = 0x7AC1_5EED

    struct Factor {
        let rows: Int, columns: Int
        /// G1 [k × rows] and G2 [k × columns], row-major.
        let left: FloatBuffer, right: FloatBuffer
    }

    /// By the tensor's offset in θ.
    let factors: [Int: Factor]

    public init(layout: TensorLayout, dimension: Int, seed: UInt64) throws {
        let side = Int(Double(dimension).squareRoot().rounded())
        guard dimension > 0, side * side == dimension else {
            throw InputError("--sketch must be a square number (256, 1024, 4096…), got \(dimension)")
        }
        self.dimension = dimension
        self.side = side
        self.seed = seed
        var random = SeededRandom(seed: seed)
        let deviation = 1 / Double(dimension).squareRoot().squareRoot()
        var factors: [Int: Factor] = [:]
        for entry in layout.entries {
            let (rows, columns) = Self.matrixShape(entry.shape)
            func draw(_ count: Int) -> FloatBuffer {
                let buffer = FloatBuffer(count: count)
                for i in 0..<count { buffer.pointer[i] = random.nextNormal(standardDeviation: deviation) }
                return buffer
            }
            let left = draw(side * rows), right = draw(side * columns)
            factors[entry.offset] = Factor(rows: rows, columns: columns, left: left, right: right)
        }
        self.factors = factors
    }

    /// The a×b view of a tensor: a 2-D shape as it is, anything else as n = a·b, a the largest divisor ≤ √n.
    static func matrixShape(_ shape: [Int]) -> (rows: Int, columns: Int) {
        if shape.count == 2 { return (shape[0], shape[1]) }
        let n = shape.reduce(1, *)
        var rows = Int(Double(n).squareRoot())
        while rows > 1 && n % rows != 0 { rows -= 1 }
        return (max(rows, 1), n / max(rows, 1))
    }

    /// out += scale · G1·M·G2ᵀ for the tensor at θ offset `offset`, M its gradient (row-major).
    func addMaterialised(offset: Int, gradient: UnsafePointer<Float>, scale: Float = 1, into out: UnsafeMutablePointer<Float>,
                         work: ScratchBuffer) {
        guard let f = factors[offset] else { return }
        let k = side, t = work.pointer(atLeast: k * f.columns)
        sgemm(transposeA: false, transposeB: false, m: k, n: f.columns, k: f.rows, a: f.left.pointer, lda: f.rows,
              b: gradient, ldb: f.columns, beta: 0, c: t, ldc: f.columns)
        sgemm(transposeA: false, transposeB: true, m: k, n: k, k: f.columns, alpha: scale, a: t, lda: f.columns,
              b: f.right.pointer, ldb: f.columns, beta: 1, c: out, ldc: k)
    }

    /// out += scale · G1·(dYᵀX)·G2ᵀ for the weight at `offset` ([outFeatures, inFeatures]) of a linear layer
    /// whose rows `dy` [rows × out] and `x` [rows × in] belong to one sentence.
    func addLinear(offset: Int, outputGradient dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, rows: Int,
                   scale: Float, into out: UnsafeMutablePointer<Float>, work: ScratchBuffer) {
        guard let f = factors[offset], rows > 0 else { return }
        let k = side, a = work.pointer(atLeast: 2 * rows * k), b = a + rows * k
        sgemm(transposeA: false, transposeB: true, m: rows, n: k, k: f.rows, a: dy, lda: f.rows, b: f.left.pointer,
              ldb: f.rows, beta: 0, c: a, ldc: k)
        sgemm(transposeA: false, transposeB: true, m: rows, n: k, k: f.columns, a: x, lda: f.columns, b: f.right.pointer,
              ldb: f.columns, beta: 0, c: b, ldc: k)
        sgemm(transposeA: true, transposeB: false, m: k, n: k, k: rows, alpha: scale, a: a, lda: k, b: b, ldb: k,
              beta: 1, c: out, ldc: k)
    }
}

/// Where the backward pass writes sketches: one D-row per sentence of the pass (row s for its s-th
/// sequence), each sentence's gradient scaled by `scales[s]` first (in a batch pass the rows' gradients
/// are those of the batch's mean loss: scaling by predicted(batch) / predicted(sentence) makes them the
/// sentence's own; in a per-sentence pass they already are; 0 leaves the row untouched). Always from
/// the sequence's rows, never from a formed gradient.
struct SketchTarget {
    let sketch: GradientSketch
    let rows: UnsafeMutablePointer<Float>
    let scales: [Float]
    /// The pass's own (a sketch is shared by concurrent runs).
    let work: ScratchBuffer

    private func row(_ sequence: Int) -> UnsafeMutablePointer<Float> { rows + sequence * sketch.dimension }

    /// A linear layer: its weight from each sequence's rows of dY and X, its bias from the column sums of dY.
    func addLinear(weight: Int, bias: Int, outputGradient dy: UnsafePointer<Float>, input x: UnsafePointer<Float>,
                   segments: [(start: Int, length: Int)], inFeatures: Int, outFeatures: Int) {
        var sums = [Float](repeating: 0, count: outFeatures)
        for (sequence, segment) in segments.enumerated() where scales[sequence] != 0 {
            let rowsOfDy = dy + segment.start * outFeatures
            sketch.addLinear(offset: weight, outputGradient: rowsOfDy, input: x + segment.start * inFeatures,
                             rows: segment.length, scale: scales[sequence], into: row(sequence), work: work)
            for j in 0..<outFeatures { sums[j] = 0 }
            for t in 0..<segment.length {
                let r = rowsOfDy + t * outFeatures
                for j in 0..<outFeatures { sums[j] += r[j] }
            }
            sketch.addMaterialised(offset: bias, gradient: sums, scale: scales[sequence], into: row(sequence), work: work)
        }
    }

    /// A LayerNorm: dγ = Σ_t dy ⊙ x̂ and dβ = Σ_t dy over each sequence's rows.
    func addNorm(weight: Int, bias: Int, outputGradient dy: UnsafePointer<Float>, input x: UnsafePointer<Float>,
                 mean: UnsafePointer<Float>, reciprocalStd: UnsafePointer<Float>, segments: [(start: Int, length: Int)],
                 width: Int) {
        var gamma = [Float](repeating: 0, count: width), beta = [Float](repeating: 0, count: width)
        for (sequence, segment) in segments.enumerated() where scales[sequence] != 0 {
            for j in 0..<width { gamma[j] = 0; beta[j] = 0 }
            for t in segment.start..<(segment.start + segment.length) {
                let g = dy + t * width, v = x + t * width, mu = mean[t], rstd = reciprocalStd[t]
                for j in 0..<width {
                    gamma[j] += g[j] * ((v[j] - mu) * rstd)
                    beta[j] += g[j]
                }
            }
            sketch.addMaterialised(offset: weight, gradient: gamma, scale: scales[sequence], into: row(sequence), work: work)
            sketch.addMaterialised(offset: bias, gradient: beta, scale: scales[sequence], into: row(sequence), work: work)
        }
    }
}
