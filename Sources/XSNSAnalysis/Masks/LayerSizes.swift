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

    /// Adds the number of values of each code among `positions` to `counts`: whole words eight codes at a
    /// time (each plane's byte spread to one bit per byte), the ragged ends value by value.
    private func countCodes(in positions: Range<Int>, into counts: inout [Int]) {
        var position = positions.lowerBound
        Self.spread.withUnsafeBufferPointer { spread in
            counts.withUnsafeMutableBufferPointer { counts in
                while position < positions.upperBound {
                    let word = position / 64
                    let first = position % 64
                    let last = min(64, positions.upperBound - word * 64)
                    let plane = planes + word * CodePlanes.planeCount
                    if first == 0, last == 64 {
                        for step in 0..<8 {
                            var codes: UInt64 = 0
                            for b in 0..<CodePlanes.planeCount { codes |= spread[Int((plane[b] >> UInt64(8 * step)) & 0xFF)] << UInt64(b) }
                            for byte in 0..<8 { counts[Int((codes >> UInt64(8 * byte)) & 0xFF)] += 1 }
                        }
                    } else {
                        for bit in first..<last {
                            var code = 0
                            for b in 0..<CodePlanes.planeCount { code |= Int((plane[b] >> UInt64(bit)) & 1) << b }
                            counts[code] += 1
                        }
                    }
                    position = word * 64 + last
                }
            }
        }
    }

    /// spread[x]: bit i of x as byte i (0 or 1).
    private static let spread: [UInt64] = (0..<256).map { (x: Int) -> UInt64 in
        var bytes: UInt64 = 0
        for bit in 0..<8 where x >> bit & 1 == 1 { bytes |= 1 << UInt64(8 * bit) }
        return bytes
    }
}
