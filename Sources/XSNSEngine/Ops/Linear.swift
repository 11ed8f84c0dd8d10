/// Fully connected layer in PyTorch's layout: weight [out, in], y = x·Wᵀ + b, on `rows` row vectors.
/// Work is split across threads by rows (forward, dx) or by output features (dW, db).
package enum Linear {
    /// Rows or features per thread below which splitting does not pay.
    static let grain = 16

    package static func forward(
        output y: UnsafeMutablePointer<Float>, input x: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        rows: Int, inFeatures: Int, outFeatures: Int, parallel: Parallel = .serial
    ) {
        parallel.split(rows, grain: grain) { range in
            let target = y + range.lowerBound * outFeatures
            // Seeding C with the bias lets the GEMM add it for free (beta = 1).
            if let bias {
                for row in 0..<range.count { (target + row * outFeatures).update(from: bias, count: outFeatures) }
            }
            sgemm(transposeA: false, transposeB: true, m: range.count, n: outFeatures, k: inFeatures,
                  a: x + range.lowerBound * inFeatures, lda: inFeatures, b: weight, ldb: inFeatures,
                  beta: bias == nil ? 0 : 1, c: target, ldc: outFeatures)
        }
    }

    /// dx = dy·W (or dx += dy·W with `accumulateInput`), dW = dyᵀ·x, db = Σ_rows dy (or added to dW, db
    /// with `accumulateParameters`). Any gradient that is not needed is passed as nil and not computed.
    package static func backward(
        inputGradient dx: UnsafeMutablePointer<Float>?, accumulateInput: Bool = false,
        weightGradient dW: UnsafeMutablePointer<Float>?, biasGradient db: UnsafeMutablePointer<Float>?,
        accumulateParameters: Bool = false,
        outputGradient dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        rows: Int, inFeatures: Int, outFeatures: Int, parallel: Parallel = .serial
    ) {
        if let dx {
            parallel.split(rows, grain: grain) { range in
                sgemm(transposeA: false, transposeB: false, m: range.count, n: inFeatures, k: outFeatures,
                      a: dy + range.lowerBound * outFeatures, lda: outFeatures, b: weight, ldb: inFeatures,
                      beta: accumulateInput ? 1 : 0, c: dx + range.lowerBound * inFeatures, ldc: inFeatures)
            }
        }
        guard dW != nil || db != nil else { return }
        parallel.split(outFeatures, grain: grain) { features in
            if let dW {
                sgemm(transposeA: true, transposeB: false, m: features.count, n: inFeatures, k: rows,
                      a: dy + features.lowerBound, lda: outFeatures, b: x, ldb: inFeatures,
                      beta: accumulateParameters ? 1 : 0,
                      c: dW + features.lowerBound * inFeatures, ldc: inFeatures)
            }
            if let db {
                if !accumulateParameters { (db + features.lowerBound).update(repeating: 0, count: features.count) }
                for row in 0..<rows {
                    let source = dy + row * outFeatures
                    for j in features { db[j] += source[j] }
                }
            }
        }
    }
}
