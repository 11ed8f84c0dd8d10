import CKernels

/// Softmax cross-entropy over vocabulary logits, one row per predicted token.
package enum CrossEntropy {
    /// Turns each row of logits into probabilities in place and returns Σ −log p(label) (in Double).
    package static func forward(_ logits: UnsafeMutablePointer<Float>, labels: UnsafePointer<Int32>, rows: Int,
                                classes: Int) -> Double {
        var loss = 0.0
        for row in 0..<rows {
            loss += xsns_softmax_cross_entropy(MathKernels.level, logits + row * classes, classes, Int(labels[row]))
        }
        return loss
    }

    /// In place: probabilities → d(scale · loss)/dlogits = scale · (p − onehot(label)).
    package static func backward(_ probabilities: UnsafeMutablePointer<Float>, labels: UnsafePointer<Int32>, rows: Int,
                                 classes: Int, scale: Float) {
        for row in 0..<rows {
            let x = probabilities + row * classes
            x[Int(labels[row])] -= 1
            for j in 0..<classes { x[j] *= scale }
        }
    }
}
