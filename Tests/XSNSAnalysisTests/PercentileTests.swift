import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport

@testable import XSNSAnalysis

/// Thresholds and masks against `np.percentile(values, (1 - p) * 100)` and numpy set arithmetic.
struct PercentileTests {
    struct Fixture: Decodable {
        struct Vector: Decodable { let name: String; let offset: Int; let count: Int }
        struct Case: Decodable { let vector: String; let p: Double; let threshold: Double; let kept: Int }
        struct Pair: Decodable {
            let a: String; let b: String; let p: Double
            let intersection: Int; let jaccard: Double; let cosine: Double
        }
        let vectors: [Vector]
        let cases: [Case]
        let pairs: [Pair]
    }

    static let fixture: Fixture? = try? AnalysisFixtures.json("percentiles.json")
    static let blob: [Float] = (try? AnalysisFixtures.floats("percentile_vectors.f32")) ?? []

    static func vector(_ name: String) throws -> [Float] {
        let entry = try #require(fixture?.vectors.first { $0.name == name })
        return Array(blob[entry.offset..<(entry.offset + entry.count)])
    }

    static func index(_ name: String) throws -> SubnetworkIndex {
        let values = try vector(name)
        return try SubnetworkIndex(FlatTensors(layout: TensorLayout([("v", [values.count])]), values: values))
    }

    @Test func fixtureIsPresent() throws {
        let fixture = try #require(Self.fixture)
        #expect(fixture.cases.count > 50)
        #expect(Self.blob.count == fixture.vectors.map(\.count).reduce(0, +))
    }

    @Test(arguments: 0..<144)
    func selectionMatchesNumpy(caseIndex: Int) throws {
        let fixture = try #require(Self.fixture)
        guard caseIndex < fixture.cases.count else { return }
        let reference = fixture.cases[caseIndex]
        let values = try Self.vector(reference.vector)
        let threshold = NumpyPercentile.percentile(values, q: NumpyPercentile.q(keeping: reference.p))
        #expect(threshold == Float(reference.threshold), "\(reference.vector) p=\(reference.p)")
    }

    @Test(arguments: ["uniform", "ties", "fisher", "fisher2", "signed", "constant", "tiny", "zeros", "repeated"])
    func subnetworksMatchNumpy(vector: String) throws {
        let fixture = try #require(Self.fixture)
        let index = try Self.index(vector)
        for reference in fixture.cases where reference.vector == vector {
            let subnetwork = try index.subnetwork(p: reference.p)
            #expect(subnetwork.threshold == Float(reference.threshold), "\(vector) p=\(reference.p)")
            #expect(subnetwork.size == reference.kept, "\(vector) p=\(reference.p)")
            // Every kept bit is a value ≥ threshold and vice versa.
            let values = try Self.vector(vector)
            let mismatches = values.indices.filter { subnetwork.bits.contains($0) != (values[$0] >= subnetwork.threshold) }
            #expect(mismatches.isEmpty, "\(vector) p=\(reference.p)")
        }
    }

    @Test func pairSimilaritiesMatchNumpy() throws {
        let fixture = try #require(Self.fixture)
        let a = try Self.index("fisher")
        let b = try Self.index("fisher2")
        for reference in fixture.pairs {
            let maskA = try a.subnetwork(p: reference.p)
            let maskB = try b.subnetwork(p: reference.p)
            #expect(maskA.bits.intersectionCount(maskB.bits) == reference.intersection)
            #expect(close(MaskMetric.jaccard.similarity(maskA, maskB), reference.jaccard, tolerance: 1e-12))
            #expect(close(MaskMetric.cosine.similarity(maskA, maskB), reference.cosine, tolerance: 1e-12))
        }
    }

    @Test func nanIsRejected() {
        let layout = TensorLayout([("v", [3])])
        #expect(throws: InputError.self) { try SubnetworkIndex(FlatTensors(layout: layout, values: [1, .nan, 2])) }
    }

    @Test func rangeCountsHandleUnalignedSlices() {
        let a = Bitset(count: 200, positions: [0, 5, 63, 64, 65, 127, 128, 190, 199])
        let b = Bitset(count: 200, positions: [5, 63, 64, 100, 128, 199])
        #expect(a.cardinality(in: 5..<129) == 6)
        #expect(a.intersectionCount(b, in: 6..<200) == 4)
        #expect(a.intersectionCount(b, in: 64..<65) == 1)
        #expect(a.cardinality(in: 70..<70) == 0)
    }
}

/// The blocked, carry-save pairwise popcount against numpy's intersection sizes.
struct PairwiseIntersectionTests {
    @Test func blockedCountsMatchNumpy() throws {
        let fixture = try #require(PercentileTests.fixture)
        let a = try PercentileTests.index("fisher")
        let b = try PercentileTests.index("fisher2")
        for reference in fixture.pairs {
            let sets = [try a.subnetwork(p: reference.p).bits, try b.subnetwork(p: reference.p).bits]
            #expect(PairwiseIntersections.counts(sets + sets, pairs: [(0, 1), (2, 1), (0, 3)]) == Array(repeating: reference.intersection, count: 3))
        }
    }

    @Test func oddLengthsAndSelfPairsCountEveryBit() {
        for length in [1, 63, 64, 65, 1000, 64 * 16, 64 * 16 + 7, 64 * 2048 + 130] {
            let a = Bitset(count: length, positions: stride(from: 0, to: length, by: 3))
            let b = Bitset(count: length, positions: stride(from: 0, to: length, by: 2))
            let counts = PairwiseIntersections.counts([a, b], pairs: [(0, 1), (0, 0), (1, 1)])
            #expect(counts == [(length + 5) / 6, (length + 2) / 3, (length + 1) / 2], "length \(length)")
        }
    }
}

/// Every p whose two order statistics straddle a code-group boundary takes the two-group path; sweeping
/// p finely over a short vector reaches many of them. The reference is the plain selection over the whole
/// vector (itself checked against numpy above).
struct GroupBoundaryTests {
    @Test func finePSweepAgreesWithPlainSelection() throws {
        let values = (0..<1283).map { Float(($0 * 7919) % 1283) * 0.5 }
        let index = try SubnetworkIndex(FlatTensors(layout: TensorLayout([("v", [values.count])]), values: values))
        for step in 1..<1000 {
            let p = Double(step) / 1000
            let subnetwork = try index.subnetwork(p: p)
            let threshold = NumpyPercentile.percentile(values, q: NumpyPercentile.q(keeping: p))
            #expect(subnetwork.threshold == threshold, "p=\(p)")
            let expected = values.indices.filter { values[$0] >= threshold }
            #expect(subnetwork.size == expected.count, "p=\(p)")
            #expect(subnetwork.bits == Bitset(count: values.count, positions: expected), "p=\(p)")
        }
    }
}

/// The one-shot mask (no index) against the same numpy references.
struct DirectSubnetworkTests {
    @Test(arguments: ["uniform", "ties", "fisher", "fisher2", "signed", "constant", "tiny", "zeros", "repeated"])
    func directMasksMatchNumpy(vector: String) throws {
        let fixture = try #require(PercentileTests.fixture)
        let values = try PercentileTests.vector(vector)
        for reference in fixture.cases where reference.vector == vector {
            let subnetwork = try Subnetwork(fisher: values, p: reference.p)
            #expect(subnetwork.threshold == Float(reference.threshold), "\(vector) p=\(reference.p)")
            #expect(subnetwork.size == reference.kept, "\(vector) p=\(reference.p)")
            #expect(subnetwork.bits == Bitset(count: values.count, positions: values.indices.filter { values[$0] >= subnetwork.threshold }))
        }
        #expect(throws: InputError.self) { try Subnetwork(fisher: [1, .nan], p: 0.5) }
    }
}
