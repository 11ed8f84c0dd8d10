/// max(0, x), elementwise.
enum ReLU {
    /// `y` may alias `x`.
    static func forward(output y: UnsafeMutablePointer<Float>, input x: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = max(0, x[i]) }
    }

    /// dx = dy where the output was positive, else 0 (`dx` may alias `dy`); `output` is the forward's y.
    static func backward(inputGradient dx: UnsafeMutablePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                         output y: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { dx[i] = y[i] > 0 ? dy[i] : 0 }
    }
}
