/// The input embedding sum: word + position + token type 0, for one sequence of ids.
/// Forward only: embeddings are outside θ, so no gradient flows into them.
enum Embeddings {
    /// `positionOffset` is the first position id (RoBERTa: pad_token_id + 1; BERT: 0).
    /// Ids and positions are validated by the caller.
    static func forward(
        output y: UnsafeMutablePointer<Float>, ids: UnsafeBufferPointer<Int32>,
        word: UnsafePointer<Float>, position: UnsafePointer<Float>, tokenType: UnsafePointer<Float>,
        positionOffset: Int, width: Int
    ) {
        for (t, id) in ids.enumerated() {
            let target = y + t * width
            let w = word + Int(id) * width, p = position + (t + positionOffset) * width
            for j in 0..<width { target[j] = w[j] + p[j] + tokenType[j] }
        }
    }
}
