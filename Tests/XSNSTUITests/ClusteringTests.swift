import Testing
import XSNSTUI

/// Average linkage against SciPy 1.17: `linkage(squareform(1 - S), method="average")` and
/// `leaves_list`, values printed by the script in the comment of each reference.
@Suite struct ClusteringTests {
    struct Reference: Sendable {
        let similarities: [[Double]]
        /// (left, right, distance, size) rows of SciPy's Z.
        let merges: [(Int, Int, Double, Int)]
        let leaves: [Int]
    }

    static let sample = Reference(
        similarities: SampleWorkbench.jaccard,
        merges: [
            (3, 4, 0.39, 2), (0, 1, 0.42, 2), (5, 7, 0.45, 2), (2, 9, 0.505, 3), (6, 11, 0.6033333333333334, 4),
            (8, 12, 0.6387499999999999, 6), (10, 13, 0.7116666666666667, 8),
        ],
        leaves: [5, 7, 3, 4, 6, 2, 0, 1])

    /// numpy default_rng(7): X = rng.random((12, 12)); X = (X + X.T) / 2; diag 1; rounded to 2 places.
    static let random12 = Reference(
        similarities: [
            [1.0, 0.58, 0.41, 0.3, 0.4, 0.74, 0.44, 0.85, 0.41, 0.41, 0.16, 0.31],
            [0.58, 1.0, 0.51, 0.28, 0.93, 0.72, 0.64, 0.82, 0.29, 0.34, 0.62, 0.16],
            [0.41, 0.51, 1.0, 0.87, 0.5, 0.6, 0.31, 0.41, 0.02, 0.48, 0.74, 0.58],
            [0.3, 0.28, 0.87, 1.0, 0.43, 0.52, 0.68, 0.61, 0.38, 0.83, 0.3, 0.49],
            [0.4, 0.93, 0.5, 0.43, 1.0, 0.41, 0.63, 0.28, 0.89, 0.27, 0.85, 0.79],
            [0.74, 0.72, 0.6, 0.52, 0.41, 1.0, 0.65, 0.17, 0.81, 0.57, 0.45, 0.41],
            [0.44, 0.64, 0.31, 0.68, 0.63, 0.65, 1.0, 0.09, 0.31, 0.47, 0.38, 0.35],
            [0.85, 0.82, 0.41, 0.61, 0.28, 0.17, 0.09, 1.0, 0.5, 0.65, 0.34, 0.82],
            [0.41, 0.29, 0.02, 0.38, 0.89, 0.81, 0.31, 0.5, 1.0, 0.58, 0.38, 0.71],
            [0.41, 0.34, 0.48, 0.83, 0.27, 0.57, 0.47, 0.65, 0.58, 1.0, 0.38, 0.7],
            [0.16, 0.62, 0.74, 0.3, 0.85, 0.45, 0.38, 0.34, 0.38, 0.38, 1.0, 0.5],
            [0.31, 0.16, 0.58, 0.49, 0.79, 0.41, 0.35, 0.82, 0.71, 0.7, 0.5, 1.0],
        ],
        merges: [
            (1, 4, 0.07, 2), (2, 3, 0.13, 2), (0, 7, 0.15, 2), (5, 8, 0.19, 2), (10, 12, 0.265, 3),
            (9, 11, 0.3, 2), (13, 17, 0.405, 4), (6, 16, 0.45, 4), (15, 19, 0.4875, 6), (14, 18, 0.51, 6),
            (20, 21, 0.5630555555555555, 12),
        ],
        leaves: [5, 8, 6, 10, 1, 4, 0, 7, 2, 3, 9, 11])

    @Test(arguments: [sample, random12])
    func matchesSciPy(_ reference: Reference) {
        let merges = HierarchicalClustering.averageLinkage(similarities: reference.similarities)
        #expect(merges.count == reference.merges.count)
        for (merge, expected) in zip(merges, reference.merges) {
            #expect(merge.left == expected.0 && merge.right == expected.1 && merge.size == expected.3)
            #expect(abs(merge.distance - expected.2) < 1e-12)
        }
        #expect(HierarchicalClustering.averageLinkageOrder(similarities: reference.similarities) == reference.leaves)
    }

    @Test func degenerateInputs() {
        #expect(HierarchicalClustering.averageLinkageOrder(similarities: []) == [])
        #expect(HierarchicalClustering.averageLinkageOrder(similarities: [[1]]) == [0])
        // NaN similarities merge last instead of poisoning the averages.
        let order = HierarchicalClustering.averageLinkageOrder(similarities: [
            [1, .nan, 0.9], [.nan, 1, .nan], [0.9, .nan, 1],
        ])
        #expect(order == [1, 0, 2])
    }

    @Test func clusteredOrderGroupsFamilies() {
        var state = SampleWorkbench.state(view: .heatmap)
        state.order = .clustered
        #expect(state.visibleLanguages == ["ja", "zh", "et", "fi", "ru", "es", "de", "en"])
    }
}
