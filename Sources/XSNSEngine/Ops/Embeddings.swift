/// The input embedding sum: word + position + token type, for one sequence of ids.
enum Embeddings {
    /// `positionOffset` is the first position id (RoBERTa: pad_token_id + 1; BERT: 0). `types` are the
    /// rows of the token type table (nil: row 0 for every token). Ids, types and positions are validated
    /// by the caller.
    static func forward(
        output y: UnsafeMutablePointer<Float>, ids: UnsafeBufferPointer<Int32>, types: UnsafeBufferPointer<Int32>?,
        word: UnsafePointer<Float>, position: UnsafePointer<Float>, tokenType: UnsafePointer<Float>,
        positionOffset: Int, width: Int
    ) {
        for (t, id) in ids.enumerated() {
            let target = y + t * width
            let w = word + Int(id) * width, p = position + (t + positionOffset) * width
            let k = tokenType + Int(types?[t] ?? 0) * width
            for j in 0..<width { target[j] = w[j] + p[j] + k[j] }
        }
    }

    /// Adds each row of dy to the gradient of the rows it came from: its word, its position and its token
    /// type (`tokenType` nil when the model has no token type table). Sequential: ids repeat.
    static func backward(
        outputGradient dy: UnsafePointer<Float>, ids: UnsafeBufferPointer<Int32>, types: UnsafeBufferPointer<Int32>?,
        word: UnsafeMutablePointer<Float>, position: UnsafeMutablePointer<Float>,
        tokenType: UnsafeMutablePointer<Float>?, positionOffset: Int, width: Int
    ) {
        for (t, id) in ids.enumerated() {
            let source = dy + t * width
            let w = word + Int(id) * width, p = position + (t + positionOffset) * width
            for j in 0..<width {
                w[j] += source[j]
                p[j] += source[j]
            }
            if let tokenType {
                let k = tokenType + Int(types?[t] ?? 0) * width
                for j in 0..<width { k[j] += source[j] }
            }
        }
    }
}
