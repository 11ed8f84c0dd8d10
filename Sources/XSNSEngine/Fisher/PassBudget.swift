/// When the Fisher estimator runs its pending units as one packed pass. A short batch of real sentences
/// predicts ~20 tokens: alone it makes the MLM decoder's GEMMs 20 rows deep (their 768 MB of weights
/// packed and streamed twice for little arithmetic) and every projection's GEMM ~150 rows. A pass of
/// several units shares those GEMMs; each unit keeps its own gradient. The pass closes at a unit boundary
/// once it predicts enough tokens to fill the decoder block, or at a row or sentence bound that keeps the
/// activations (which grow with rows) at what one batch of long sentences needs.
struct PassBudget: Equatable {
    var predictedTokens = 128
    var rows = 2048
    var sentences = 64

    /// Whether `pending` (starting at a batch boundary) makes a full pass: it ends a batch of `batchSize`
    /// and reaches one of the bounds.
    func isFull(_ pending: [MaskedSequence], batchSize: Int) -> Bool {
        guard !pending.isEmpty, pending.count % batchSize == 0 else { return false }
        if pending.count >= sentences { return true }
        var predicted = 0, pendingRows = 0
        for sentence in pending {
            predicted += sentence.predictedCount
            pendingRows += sentence.inputIds.count
        }
        return predicted >= predictedTokens || pendingRows >= rows
    }
}
