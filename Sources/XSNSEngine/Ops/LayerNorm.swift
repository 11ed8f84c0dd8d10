/// LayerNorm over the last dimension: y = (x − μ)/√(σ² + ε) · γ + β, per row.
enum LayerNorm {
    /// Writes y and, for the backward pass, each row's mean and reciprocal standard deviation.
    /// `y` may alias `x`.
    static func forward(
        output y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>?,
        reciprocalStd: UnsafeMutablePointer<Float>?, input x: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, rows: Int, width: Int, epsilon: Float
    ) {
        for row in 0..<rows {
            let source = x + row * width
            let target = y + row * width
            var sum: Float = 0
            for j in 0..<width { sum += source[j] }
            let mu = sum / Float(width)
            var squares: Float = 0
            for j in 0..<width {
                let centred = source[j] - mu
                squares += centred * centred
            }
            let rstd = 1 / (squares / Float(width) + epsilon).squareRoot()
            for j in 0..<width { target[j] = (source[j] - mu) * rstd * weight[j] + bias[j] }
            mean?[row] = mu
            reciprocalStd?[row] = rstd
        }
    }

    /// dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂)) with ĝ = dy⊙γ; dγ = Σ dy⊙x̂ and dβ = Σ dy over rows
    /// (overwritten, nil when not needed). `dx` may alias `dy`.
    static func backward(
        inputGradient dx: UnsafeMutablePointer<Float>, weightGradient dWeight: UnsafeMutablePointer<Float>?,
        biasGradient dBias: UnsafeMutablePointer<Float>?, outputGradient dy: UnsafePointer<Float>,
        input x: UnsafePointer<Float>, mean: UnsafePointer<Float>, reciprocalStd: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, rows: Int, width: Int
    ) {
        dWeight?.update(repeating: 0, count: width)
        dBias?.update(repeating: 0, count: width)
        for row in 0..<rows {
            let source = x + row * width
            let upstream = dy + row * width
            let target = dx + row * width
            let mu = mean[row], rstd = reciprocalStd[row]
            var meanG: Float = 0, meanGX: Float = 0
            for j in 0..<width {
                let normalised = (source[j] - mu) * rstd
                let g = upstream[j] * weight[j]
                meanG += g
                meanGX += g * normalised
                if let dWeight { dWeight[j] += upstream[j] * normalised }
                if let dBias { dBias[j] += upstream[j] }
            }
            meanG /= Float(width)
            meanGX /= Float(width)
            for j in 0..<width {
                let normalised = (source[j] - mu) * rstd
                target[j] = rstd * (upstream[j] * weight[j] - meanG - normalised * meanGX)
            }
        }
    }
}
