import Foundation
import XSNSStorage

/// What makes a mask of one Fisher vector at a new p cheap, in one byte per value: each value's group
/// (`MaskGroups`) as bit-sliced 8-bit codes (`CodePlanes`), the groups' sizes and extremes, and where to
/// read a value when one is needed. Held in memory, or mapped from a session's index file
/// (`MaskIndexFile`), so that opening a session costs no Fisher read at all.
///
/// A mask at p: numpy's percentile needs two order statistics; when they are a group's first or last
/// value their values are stored. The threshold t then splits the groups into those dropped, those kept
/// whole and at most one straddling it. Only that one group's values are read (from the mapped Fisher
/// file), in position order, while one pass over the planes decides every other value. At the grid's p
/// values (every 0.005, and finer at the ends) no group straddles and nothing is read.
public final class SubnetworkIndex: @unchecked Sendable {
    public let layout: TensorLayout
    public let count: Int
    let groups: MaskGroups
    /// Fisher mass per attention head, when the index was built with the vector at hand.
    public let headMass: HeadGrid?
    let planes: UnsafePointer<UInt64>
    private let owner: AnyObject  // keeps `planes` alive: an array box or a file mapping
    private let fisher: FisherValueSource
    /// The index file, named in errors (nil for an index held in memory).
    let file: String?
    /// SHA-256 of the Fisher file the index was built from (nil for an index held in memory).
    let fisherDigest: String?
    /// Builds a fresh index when this one's codes turn out damaged; later calls go to the fresh one.
    private let rebuild: (@Sendable (IndexDamaged) throws -> SubnetworkIndex)?
    private let replacementLock = NSLock()
    private var replacement: SubnetworkIndex?
    /// The planes' checksum as written, until the first full pass has confirmed it (nil: nothing to check).
    private var unconfirmedDigest: UInt64?

    init(layout: TensorLayout, groups: MaskGroups, planes: UnsafePointer<UInt64>, owner: AnyObject,
         fisher: FisherValueSource, headMass: HeadGrid?, file: String?, fisherDigest: String? = nil, digest: UInt64? = nil,
         rebuild: (@Sendable (IndexDamaged) throws -> SubnetworkIndex)? = nil) {
        self.layout = layout
        count = groups.count
        self.groups = groups
        self.planes = planes
        self.owner = owner
        self.fisher = fisher
        self.headMass = headMass
        self.file = file
        self.fisherDigest = fisherDigest
        self.rebuild = rebuild
        unconfirmedDigest = digest
    }

    /// An index held in memory with its vector (`source` names the Fisher file in errors).
    public convenience init(_ fisher: FlatTensors, source: String? = nil) throws {
        let built = try Self.build(fisher, source: source)
        let box = PlaneBox(built.planes)
        self.init(layout: fisher.layout, groups: built.groups, planes: box.pointer, owner: box,
                  fisher: InMemoryFisher(values: fisher.values), headMass: built.headMass, file: nil)
    }

    /// Groups, code planes and head mass of a vector.
    static func build(_ fisher: FlatTensors, source: String?) throws -> (groups: MaskGroups, planes: [UInt64], headMass: HeadGrid?) {
        guard !fisher.values.isEmpty else { throw InputError(file: source, "Fisher vector is empty") }
        guard fisher.values.count < Int(UInt32.max) else { throw InputError(file: source, "Fisher vector longer than 2³² values") }
        let (planes, groups) = try fisher.values.withUnsafeBufferPointer { values in
            let cuts = try MaskGroups.cuts(of: values, source: source)
            var built = CodePlanes.build(values, cuts: cuts.cuts)
            built.groups.gridThresholds = cuts.grid
            return built
        }
        let map = ParameterMap(fisher.layout)
        let headMass = map.defaultHeadCount.flatMap { try? HeadViews.fisherMass(fisher, map: map, heads: $0) }
        return (groups, planes, headMass)
    }

    /// The sub-network keeping the fraction p (0 < p < 1) of θ: every value ≥ numpy's percentile threshold.
    /// Codes that contradict the group counts are never used: a file-backed index is rebuilt from its
    /// Fisher file and asked again; one without a way to rebuild throws `IndexDamaged`.
    public func subnetwork(p: Double) throws -> Subnetwork {
        if let replacement = replacementLock.withLock({ replacement }) { return try replacement.subnetwork(p: p) }
        do {
            return try mask(p: p)
        } catch let damaged as IndexDamaged {
            guard let rebuild else { throw damaged }
            let fresh = try replacementLock.withLock {
                if let replacement { return replacement }
                let fresh = try rebuild(damaged)
                replacement = fresh
                return fresh
            }
            return try fresh.subnetwork(p: p)
        }
    }

    /// What a mask at a p of the index grid is, when no Fisher value is needed: every code ≥ `code`, `size`
    /// values; `checksum`, the planes' checksum while no pass has confirmed it yet. Nil off the grid, when
    /// nothing is kept, and after the planes were found damaged (`subnetwork(p:)` handles those).
    struct WholeGroupMask {
        let index: SubnetworkIndex
        let code: Int
        let size: Int
        let checksum: UInt64?
    }

    func wholeGroupMask(p: Double) -> WholeGroupMask? {
        let (replaced, checksum) = replacementLock.withLock { (replacement != nil, unconfirmedDigest) }
        guard !replaced, let threshold = gridThreshold(p: p) else { return nil }
        let (keptFrom, boundary) = groups.split(at: threshold)
        guard boundary == nil, keptFrom < groups.groupCount else { return nil }
        return WholeGroupMask(index: self, code: keptFrom, size: count - groups.start[keptFrom], checksum: checksum)
    }

    /// The threshold stored for a p of the index grid (nil off it, or for an index built without them).
    private func gridThreshold(p: Double) -> Float? {
        MaskGroups.grid.firstIndex(of: p).flatMap { index in
            groups.gridThresholds.count == MaskGroups.grid.count && !groups.gridThresholds[index].isNaN ? groups.gridThresholds[index] : nil
        }
    }

    /// Throws unless a pass over every plane word (`computed`) matched the checksum the planes were written
    /// with; after that the planes are no longer checked.
    func confirmChecksum(computed: UInt64, expected: UInt64) throws {
        guard computed == expected else { throw IndexDamaged(file: file, reason: "its codes do not match their checksum") }
        replacementLock.withLock { unconfirmedDigest = nil }
    }

    /// Throws unless the codes counted above and at `code` are what the groups say.
    func checkCounts(code: Int, above: Int, at: Int) throws {
        let (expectedAbove, expectedAt) = (count - groups.start[code + 1], groups.size(code))
        guard above == expectedAbove, at == expectedAt else {
            throw IndexDamaged(file: file, reason: "codes above and at group \(code) count \(above) and \(at), "
                + "the groups say \(expectedAbove) and \(expectedAt)")
        }
    }

    private func mask(p: Double) throws -> Subnetwork {
        precondition(p > 0 && p < 1, "p must lie in (0, 1)")
        let position = NumpyPercentile.position(q: NumpyPercentile.q(keeping: p), count: count)
        var read: (group: Int, values: [Float])?
        func values(of group: Int) throws -> [Float] {
            if let read, read.group == group { return read.values }
            let values = try groupValues(group)
            read = (group, values)
            return values
        }
        let gridThreshold = gridThreshold(p: p)
        let a: Float
        let b: Float
        if gridThreshold != nil {
            (a, b) = (0, 0)  // unused: the threshold is stored
        } else if let stored = groups.orderStatistic(position.lower) {
            a = stored
            if position.upper == position.lower {
                b = a
            } else if let stored = groups.orderStatistic(position.upper) {
                b = stored
            } else {
                let group = groups.group(ofRank: position.upper)
                var scratch = try values(of: group)
                b = scratch.withUnsafeMutableBufferPointer { Selection.select($0, rank: position.upper - groups.start[group]) }
            }
        } else {
            // Both ranks lie in the same group (the lower one is not its group's last).
            let group = groups.group(ofRank: position.lower)
            var scratch = try values(of: group)
            let rank = position.lower - groups.start[group]
            (a, b) = scratch.withUnsafeMutableBufferPointer { buffer in
                let a = Selection.select(buffer, rank: rank)
                return (a, position.upper == position.lower ? a : Selection.minimum(buffer[(rank + 1)...]))
            }
        }
        let threshold = gridThreshold ?? NumpyPercentile.interpolate(a, b, gamma: position.gamma)
        let (keptFrom, boundary) = groups.split(at: threshold)
        let boundaryValues = try boundary.map(values(of:)) ?? []
        var size = 0
        let words = try [UInt64](unsafeUninitializedCapacity: CodePlanes.wordCount(count)) { buffer, initialized in
            size = try classify(keptFrom: keptFrom, boundary: boundary, values: boundaryValues, threshold: threshold, into: buffer)
            initialized = buffer.count
        }
        return Subnetwork(p: p, threshold: threshold, bits: Bitset(count: count, words: words), size: size)
    }

    /// One group's values in position order, read from the Fisher vector.
    private func groupValues(_ group: Int) throws -> [Float] {
        let expected = groups.size(group)
        var positions = [UInt32]()
        positions.reserveCapacity(expected)
        let masks = CodePlanes.Masks(group)
        for word in 0..<CodePlanes.wordCount(count) {
            var equal = CodePlanes.compare(planes + word * CodePlanes.planeCount, masks).equal & validBits(word)
            while equal != 0 {
                positions.append(UInt32(word * 64 + equal.trailingZeroBitCount))
                equal &= equal &- 1
            }
            if positions.count > expected { break }
        }
        guard positions.count == expected else {
            throw IndexDamaged(file: file, reason: "group \(group) should hold \(expected) values, its codes mark \(positions.count)")
        }
        return try [Float](unsafeUninitializedCapacity: expected) { output, initialized in
            try positions.withUnsafeBufferPointer { try fisher.values(at: $0, into: output) }
            initialized = expected
        }
    }

    @inline(__always)
    private func validBits(_ word: Int) -> UInt64 {
        let tail = count - word * 64
        return tail >= 64 ? .max : (UInt64(1) << UInt64(tail)) - 1
    }

    /// kept ← code > boundary, or code == boundary and value ≥ threshold (without a boundary: code ≥
    /// keptFrom). Checks the codes against the group counts on the way; returns the number kept.
    private func classify(
        keptFrom: Int, boundary: Int?, values: [Float], threshold: Float, into kept: UnsafeMutableBufferPointer<UInt64>
    ) throws -> Int {
        let pivot = boundary ?? keptFrom
        let wordCount = kept.count
        guard pivot < groups.groupCount else {  // nothing reaches the threshold (never, for t ≤ the maximum)
            for word in 0..<wordCount { kept[word] = 0 }
            return 0
        }
        let expectedDigest = replacementLock.withLock { unconfirmedDigest }
        var digest = expectedDigest.map { _ in CodePlanes.Digest() }
        var (above, at, keptAtBoundary) = (0, 0, 0)
        if boundary == nil {
            (above, at) = BitKernels.classify(planes: planes, count: count, code: pivot, into: kept, digest: &digest)
        } else {
            // The boundary group's values decide its members, in position order.
            let masks = CodePlanes.Masks(pivot)
            var cursor = 0
            values.withUnsafeBufferPointer { values in
                for word in 0..<wordCount {
                    digest?.add(planes + word * CodePlanes.planeCount)
                    var (greater, equal) = CodePlanes.compare(planes + word * CodePlanes.planeCount, masks)
                    if word == wordCount - 1 {
                        greater &= validBits(word)
                        equal &= validBits(word)
                    }
                    above &+= greater.nonzeroBitCount
                    at &+= equal.nonzeroBitCount
                    var bits = greater
                    while equal != 0, cursor < values.count {
                        let bit = UInt64(equal.trailingZeroBitCount)
                        equal &= equal &- 1
                        if values[cursor] >= threshold {
                            bits |= 1 << bit
                            keptAtBoundary &+= 1
                        }
                        cursor &+= 1
                    }
                    kept[word] = bits
                }
            }
        }
        if let expectedDigest, let digest { try confirmChecksum(computed: digest.value, expected: expectedDigest) }
        try checkCounts(code: pivot, above: above, at: at)
        return boundary == nil ? above + at : above + keptAtBoundary
    }
}

/// Owns the planes of an index held in memory.
final class PlaneBox {
    let storage: UnsafeMutableBufferPointer<UInt64>
    var pointer: UnsafePointer<UInt64> { UnsafePointer(storage.baseAddress!) }

    init(_ planes: [UInt64]) {
        storage = .allocate(capacity: max(planes.count, 1))
        _ = storage.initialize(from: planes)
    }

    deinit { storage.deallocate() }
}
