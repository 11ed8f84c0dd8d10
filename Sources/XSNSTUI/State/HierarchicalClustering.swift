/// Average-linkage (UPGMA) agglomerative clustering on distances 1 − similarity, used to put
/// similar languages next to each other on the heatmap axes.
///
/// Conventions follow SciPy's `linkage(method="average")` and `leaves_list` so that orders can be
/// compared with it: leaves are clusters 0..<n, merge i creates cluster n + i, each merge lists
/// the smaller cluster id first, and the leaf order is a depth-first walk taking that child first.
public enum HierarchicalClustering {
    public struct Merge: Equatable, Sendable {
        public let left: Int
        public let right: Int
        public let distance: Double
        public let size: Int
    }

    /// The merges, closest first. The similarity matrix is symmetrised (mean of (i,j) and (j,i));
    /// non-finite values count as the largest distance so they merge last.
    public static func averageLinkage(similarities: [[Double]]) -> [Merge] {
        let n = similarities.count
        guard n > 1 else { return [] }
        func similarity(_ i: Int, _ j: Int) -> Double {
            let a = j < similarities[i].count ? similarities[i][j] : .nan
            let b = i < similarities[j].count ? similarities[j][i] : .nan
            let mean = (a + b) / 2
            return mean.isFinite ? mean : -Double.greatestFiniteMagnitude / 4
        }
        // distance[i][j] between active clusters, indexed by slot; slot i holds cluster id ids[i].
        var distance = (0..<n).map { i in (0..<n).map { j in i == j ? 0 : 1 - similarity(i, j) } }
        var ids = Array(0..<n)
        var sizes = Array(repeating: 1, count: n)
        var active = Array(repeating: true, count: n)
        var merges: [Merge] = []
        for step in 0..<(n - 1) {
            var best = (i: -1, j: -1, d: Double.infinity)
            for i in 0..<n where active[i] {
                for j in (i + 1)..<n where active[j] && distance[i][j] < best.d {
                    best = (i, j, distance[i][j])
                }
            }
            // Only reachable when all remaining distances are infinite: merge the first two slots.
            if best.i < 0 {
                let remaining = (0..<n).filter { active[$0] }
                best = (remaining[0], remaining[1], .infinity)
            }
            let (i, j) = (best.i, best.j)
            let merged = sizes[i] + sizes[j]
            merges.append(
                Merge(left: min(ids[i], ids[j]), right: max(ids[i], ids[j]), distance: best.d, size: merged))
            // Average linkage: the new cluster's distance to k is the size-weighted mean.
            for k in 0..<n where active[k] && k != i && k != j {
                let d =
                    (Double(sizes[i]) * distance[i][k] + Double(sizes[j]) * distance[j][k]) / Double(merged)
                distance[i][k] = d
                distance[k][i] = d
            }
            active[j] = false
            sizes[i] = merged
            ids[i] = n + step
        }
        return merges
    }

    /// Leaf indices in dendrogram order.
    public static func averageLinkageOrder(similarities: [[Double]]) -> [Int] {
        let n = similarities.count
        guard n > 1 else { return Array(0..<n) }
        let merges = averageLinkage(similarities: similarities)
        var order: [Int] = []
        var stack = [n + merges.count - 1]
        while let node = stack.popLast() {
            if node < n {
                order.append(node)
            } else {
                let merge = merges[node - n]
                stack.append(merge.right)
                stack.append(merge.left)
            }
        }
        return order
    }
}
