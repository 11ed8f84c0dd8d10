/// Fully connected layer in PyTorch's layout: weight [out, in], y = x·Wᵀ + b, on `rows` row vectors.
enum Linear {
    static func forward(
        output y: UnsafeMutablePointer<Float>, input x: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        rows: Int, inFeatures: Int, outFeatures: Int
    ) {
        // Seeding C with the bias lets the GEMM add it for free (beta = 1).
        if let bias {
            for row in 0..<rows { (y + row * outFeatures).update(from: bias, count: outFeatures) }
        }
        sgemm(transposeA: false, transposeB: true, m: rows, n: outFeatures, k: inFeatures,
              a: x, lda: inFeatures, b: weight, ldb: inFeatures,
              beta: bias == nil ? 0 : 1, c: y, ldc: outFeatures)
    }

    /// dx = dy·W (or dx += dy·W with `accumulateInput`), dW = dyᵀ·x, db = Σ_rows dy.
    /// Any gradient that is not needed is passed as nil and not computed.
    static func backward(
        inputGradient dx: UnsafeMutablePointer<Float>?, accumulateInput: Bool = false,
        weightGradient dW: UnsafeMutablePointer<Float>?, biasGradient db: UnsafeMutablePointer<Float>?,
        outputGradient dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        rows: Int, inFeatures: Int, outFeatures: Int
    ) {
        if let dx {
            sgemm(transposeA: false, transposeB: false, m: rows, n: inFeatures, k: outFeatures,
                  a: dy, lda: outFeatures, b: weight, ldb: inFeatures,
                  beta: accumulateInput ? 1 : 0, c: dx, ldc: inFeatures)
        }
        if let dW {
            sgemm(transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: rows,
                  a: dy, lda: outFeatures, b: x, ldb: inFeatures, beta: 0, c: dW, ldc: inFeatures)
        }
        if let db {
            db.update(repeating: 0, count: outFeatures)
            for row in 0..<rows {
                let source = dy + row * outFeatures
                for j in 0..<outFeatures { db[j] += source[j] }
            }
        }
    }
}
