import XSNSStorage
/// `Sequence`: applies its normalizers in order.
struct SequenceNormalizer: Normalizer {
    let normalizers: [any Normalizer]

    init(_ fields: JSONFields) throws(InputError) {
        var built: [any Normalizer] = []
        for (index, item) in try fields.array("normalizers").enumerated() {
            built.append(try makeNormalizer(item, path: "\(fields.fieldPath("normalizers"))[\(index)]"))
        }
        normalizers = built
    }

    func normalize(_ text: String) -> String {
        normalizers.reduce(text) { $1.normalize($0) }
    }

    func normalize(_ segment: Segment) -> Segment {
        normalizers.reduce(segment) { $1.normalize($0) }
    }
}
