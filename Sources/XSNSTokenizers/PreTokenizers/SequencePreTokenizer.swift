import XSNSStorage
/// `Sequence`: each pre-tokenizer splits every segment the previous one produced.
struct SequencePreTokenizer: PreTokenizer {
    let preTokenizers: [any PreTokenizer]

    init(_ fields: JSONFields) throws(InputError) {
        var built: [any PreTokenizer] = []
        for (index, item) in try fields.array("pretokenizers").enumerated() {
            built.append(try makePreTokenizer(item, path: "\(fields.fieldPath("pretokenizers"))[\(index)]"))
        }
        preTokenizers = built
    }

    func split(_ segment: Segment) -> [Segment] {
        preTokenizers.reduce([segment]) { segments, preTokenizer in
            segments.flatMap { preTokenizer.split($0) }
        }
    }
}
