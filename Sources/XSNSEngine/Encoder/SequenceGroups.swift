/// How the sequences of one packed pass split into gradient groups: consecutive runs of sequences, each
/// with its own loss (the mean over the run's predicted tokens) and its own θ gradient. One group per
/// sentence is the `exact` estimator, one per batch the `xsns` estimator, one for the whole pass training.
/// Packing several groups into a pass shares the GEMMs that do not mix rows (every projection's forward
/// and input gradient, the MLM decoder) while each group keeps its own weight gradients.
struct SequenceGroups: Equatable {
    /// The group of each sequence: 0, 0, …, 1, 1, …, non-decreasing.
    let groupOfSequence: [Int]
    let count: Int

    /// Groups of `sizes[0]`, `sizes[1]`, … consecutive sequences (each at least 1).
    init(sizes: [Int]) {
        precondition(sizes.allSatisfy { $0 > 0 }, "a gradient group holds at least one sequence")
        groupOfSequence = sizes.enumerated().flatMap { group, size in [Int](repeating: group, count: size) }
        count = sizes.count
    }

    /// All `sequences` in one group.
    static func whole(_ sequences: Int) -> SequenceGroups { SequenceGroups(sizes: sequences > 0 ? [sequences] : []) }

    /// Each group's rows in the packed pass, from the sequences' lengths.
    func rowRanges(lengths: [Int]) -> [(start: Int, length: Int)] {
        precondition(lengths.count == groupOfSequence.count, "one group per sequence")
        var ranges = [(start: Int, length: Int)](repeating: (0, 0), count: count)
        var row = 0
        for (sequence, length) in lengths.enumerated() {
            let group = groupOfSequence[sequence]
            if ranges[group].length == 0 { ranges[group].start = row }
            ranges[group].length += length
            row += length
        }
        return ranges
    }
}
