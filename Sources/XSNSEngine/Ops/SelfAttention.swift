import CKernels
import Foundation

/// Multi-head scaled dot-product self-attention over one sequence (no padding: sequences of a batch are
/// processed as separate segments, which is what an attention mask over right padding amounts to).
///
/// q, k, v and the context are [length, hidden] with heads side by side in each row, as the
/// Hugging Face projections produce them. Every head h carries a gate ξ_h = 1 multiplying its
/// probabilities (Michel et al. 2019); its gradient ∂L/∂ξ_h = Σ context_h ⊙ ∂L/∂context_h measures the
/// head's importance.
struct SelfAttention {
    let heads: Int
    let headDim: Int
    let dropoutProbability: Float
    var hidden: Int { heads * headDim }
    var scale: Float { 1 / Float(headDim).squareRoot() }

    /// Floats of the `probabilities` buffer (and bytes of the dropout keep mask) for one sequence.
    func probabilityCount(length: Int) -> Int { heads * length * length }

    /// Writes the context and keeps the softmax probabilities (before dropout) for the backward pass.
    /// `keep` is only touched when dropout is active. Heads are split across threads; the dropout draws
    /// are made first, in head order, so they do not depend on the thread count.
    func forward(
        context: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>,
        keep: UnsafeMutablePointer<UInt8>, query q: UnsafePointer<Float>, key k: UnsafePointer<Float>,
        value v: UnsafePointer<Float>, length: Int, scratch: ScratchBuffer, random: inout SeededRandom,
        parallel: Parallel = .serial
    ) {
        let square = length * length
        if dropoutProbability > 0 {
            Dropout.drawKeep(keep, count: heads * square, probability: dropoutProbability, random: &random)
        }
        let work = scratch.pointer(atLeast: heads * square)
        parallel.split(heads) { headRange in
            for h in headRange {
                let p = probabilities + h * square
                sgemm(transposeA: false, transposeB: true, m: length, n: length, k: headDim, alpha: scale,
                      a: q + h * headDim, lda: hidden, b: k + h * headDim, ldb: hidden, beta: 0, c: p, ldc: length)
                for row in 0..<length { Self.softmax(p + row * length, count: length) }
                var weights = UnsafePointer(p)
                if dropoutProbability > 0 {
                    let dropped = work + h * square
                    dropped.update(from: p, count: square)
                    Dropout.backward(dropped, keep: keep + h * square, count: square, probability: dropoutProbability)
                    weights = UnsafePointer(dropped)
                }
                sgemm(transposeA: false, transposeB: false, m: length, n: headDim, k: length,
                      a: weights, lda: length, b: v + h * headDim, ldb: hidden, beta: 0,
                      c: context + h * headDim, ldc: hidden)
            }
        }
    }

    /// ∂L/∂ξ_h of a switched-off head h, whose context the model zeroed: the context it would have had,
    /// recomputed from the kept probabilities (and dropout draws) and the values, against ∂L/∂context_h
    /// taken before the zeroing. Hugging Face's head mask gives this at ξ_h = 0, and Michel et al.'s
    /// per-layer normalisation of head importance counts it.
    func switchedOffGateGradient(
        head h: Int, contextGradient dContext: UnsafePointer<Float>, probabilities: UnsafePointer<Float>,
        keep: UnsafePointer<UInt8>, value v: UnsafePointer<Float>, length: Int, scratch: ScratchBuffer
    ) -> Float {
        let square = length * length
        let work = scratch.pointer(atLeast: square + length * headDim), context = work + square
        var weights = probabilities + h * square
        if dropoutProbability > 0 {
            work.update(from: UnsafeMutablePointer(mutating: weights), count: square)
            Dropout.backward(work, keep: keep + h * square, count: square, probability: dropoutProbability)
            weights = UnsafePointer(work)
        }
        sgemm(transposeA: false, transposeB: false, m: length, n: headDim, k: length,
              a: weights, lda: length, b: v + h * headDim, ldb: hidden, beta: 0, c: context, ldc: headDim)
        var gate: Float = 0
        for row in 0..<length {
            let c = context + row * headDim, g = dContext + row * hidden + h * headDim
            for j in 0..<headDim { gate += c[j] * g[j] }
        }
        return gate
    }

    /// Writes dq, dk, dv (overwritten) and adds each head's gate gradient to `gateGradient[h]`.
    func backward(
        queryGradient dq: UnsafeMutablePointer<Float>, keyGradient dk: UnsafeMutablePointer<Float>,
        valueGradient dv: UnsafeMutablePointer<Float>, gateGradient: UnsafeMutablePointer<Float>,
        contextGradient dContext: UnsafePointer<Float>, context: UnsafePointer<Float>,
        probabilities: UnsafePointer<Float>, keep: UnsafePointer<UInt8>,
        query q: UnsafePointer<Float>, key k: UnsafePointer<Float>, value v: UnsafePointer<Float>,
        length: Int, scratch: ScratchBuffer, parallel: Parallel = .serial
    ) {
        let square = length * length
        let work = scratch.pointer(atLeast: 2 * heads * square)
        parallel.split(heads) { headRange in
            for h in headRange {
                let dropped = work + 2 * h * square, dP = dropped + square
                let offset = h * headDim
                var gate: Float = 0
                for row in 0..<length {
                    let c = context + row * hidden + offset, g = dContext + row * hidden + offset
                    for j in 0..<headDim { gate += c[j] * g[j] }
                }
                gateGradient[h] += gate

                let p = probabilities + h * square
                var weights = p
                if dropoutProbability > 0 {
                    dropped.update(from: UnsafeMutablePointer(mutating: p), count: square)
                    Dropout.backward(dropped, keep: keep + h * square, count: square, probability: dropoutProbability)
                    weights = UnsafePointer(dropped)
                }
                sgemm(transposeA: true, transposeB: false, m: length, n: headDim, k: length,
                      a: weights, lda: length, b: dContext + offset, ldb: hidden, beta: 0, c: dv + offset, ldc: hidden)
                sgemm(transposeA: false, transposeB: true, m: length, n: length, k: headDim,
                      a: dContext + offset, lda: hidden, b: v + offset, ldb: hidden, beta: 0, c: dP, ldc: length)
                if dropoutProbability > 0 {
                    Dropout.backward(dP, keep: keep + h * square, count: square, probability: dropoutProbability)
                }
                // Softmax backward in place: dS = P ⊙ (dP − Σ_j dP_j P_j), row by row.
                for row in 0..<length {
                    let pr = p + row * length, gr = dP + row * length
                    var dot: Float = 0
                    for j in 0..<length { dot += pr[j] * gr[j] }
                    for j in 0..<length { gr[j] = pr[j] * (gr[j] - dot) }
                }
                sgemm(transposeA: false, transposeB: false, m: length, n: headDim, k: length, alpha: scale,
                      a: dP, lda: length, b: k + offset, ldb: hidden, beta: 0, c: dq + offset, ldc: hidden)
                sgemm(transposeA: true, transposeB: false, m: length, n: headDim, k: length, alpha: scale,
                      a: dP, lda: length, b: q + offset, ldb: hidden, beta: 0, c: dk + offset, ldc: hidden)
                // Softmax ignores a shift common to a query's scores, so Σ_rows dk = 0 exactly; rounding
                // leaves a residue that the key weights' gradient (dkᵀ·x, x nearly collinear across tokens)
                // amplifies and Adam turns into updates. Removing the column means enforces the identity.
                Self.centreColumns(dk + offset, rows: length, columns: headDim, stride: hidden)
            }
        }
    }

    /// Subtracts each column's mean over `rows` (row stride `stride`).
    static func centreColumns(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int) {
        for j in 0..<columns {
            var sum: Double = 0
            for row in 0..<rows { sum += Double(x[row * stride + j]) }
            let mean = Float(sum / Double(rows))
            for row in 0..<rows { x[row * stride + j] -= mean }
        }
    }

    static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        xsns_softmax(MathKernels.level, x, count)
    }
}
