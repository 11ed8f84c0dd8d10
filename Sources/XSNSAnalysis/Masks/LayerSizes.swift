import CKernels

/// How many values of each encoder layer a run's sub-network keeps at each p, from its index: one pass
/// over the codes counts every layer's values per code, so a mask "code ≥ g" (a p of the grid) needs no
/// further pass; any other p takes its mask. Stored with the pair counts, so that the workbench's layer
/// pane at a new p needs no mask either.
extension SubnetworkIndex {
    /// sizes[p][layer] for `ps` and the layers of `map`.
    func layerSizes(ps: [Double], map: ParameterMap) throws -> [[Int]] {
        let layerRanges = (0..<map.layerCount).map { map.ranges(layer: $0) }
        let codeCounts = ParallelMap.map(layerRanges.count) { layer in
            layerRanges[layer].reduce(into: [Int](repeating: 0, count: 256)) { counts, range in countCodes(in: range, into: &counts) }
        }
        return try ps.map { p in
            if let mask = wholeGroupMask(p: p) {
                return codeCounts.map { $0[mask.code...].reduce(0, +) }
            }
            let subnetwork = try subnetwork(p: p)
            return layerRanges.map { ranges in ranges.reduce(0) { $0 + subnetwork.bits.cardinality(in: $1) } }
        }
    }

    /// Adds the number of values of each code among `positions` to `counts`: whole words through the C
    /// level kernel (which counts codes as it reads them; its levels are thrown away), the ragged ends
    /// value by value.
    private func countCodes(in positions: Range<Int>, into counts: inout [Int]) {
        let firstWhole = (positions.lowerBound + 63) / 64, endWhole = positions.upperBound / 64
        guard firstWhole < endWhole else {
            for position in positions { counts[code(at: position)] += 1 }
            return
        }
        for position in positions.lowerBound..<(firstWhole * 64) { counts[code(at: position)] += 1 }
        for position in (endWhole * 64)..<positions.upperBound { counts[code(at: position)] += 1 }
        let chunkWords = 1024
        var codeCounts = [UInt64](repeating: 0, count: 256)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64 * chunkWords) { levels in
            Self.identity.withUnsafeBufferPointer { identity in
                for start in stride(from: firstWhole, to: endWhole, by: chunkWords) {
                    let words = min(chunkWords, endWhole - start)
                    xsns_planes_to_levels(BitKernels.level, planes + start * CodePlanes.planeCount, words, 64 * words,
                                          identity.baseAddress!, levels.baseAddress!, &codeCounts, nil)
                }
            }
        }
        for code in 0..<256 { counts[code] += Int(codeCounts[code]) }
    }

    private func code(at position: Int) -> Int {
        let plane = planes + (position / 64) * CodePlanes.planeCount
        return (0..<CodePlanes.planeCount).reduce(0) { $0 | Int((plane[$1] >> UInt64(position % 64)) & 1) << $1 }
    }

    private static let identity = (0..<256).map { UInt8($0) }
}
