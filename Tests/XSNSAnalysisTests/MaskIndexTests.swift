import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport

@testable import XSNSAnalysis

/// Masks from a `SubnetworkIndex` (in memory and mapped from a session's index file) against the direct
/// path `Subnetwork(fisher:p:)` — itself checked against numpy in PercentileTests — bit for bit, on
/// vectors full of ties: zeros of both signs, a few repeated values, a heavy tail.
struct MaskIndexTests {
    /// The p values (all on the index's grid) and some off it, where one group is read.
    static let ps = [1e-6, 0.001, 0.01, 0.0731, 0.15, 0.333, 0.5, 0.61803, 0.999, 0.999999]

    static func tieHeavy(count: Int, seed: UInt64) -> [Float] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }
        return (0..<count).map { _ in
            let r = next()
            switch r % 10 {
            case 0..<4: return r & 0x100 == 0 ? 0 : -0.0
            case 4..<6: return Float((r >> 20) % 4) * 0.25
            default:
                let u = Float((r >> 40) & 0xFFFFFF) / 16_777_216
                return u * u * u * u * 1e-3
            }
        }
    }

    static func expectSame(_ index: Subnetwork, _ direct: Subnetwork, _ label: String) {
        #expect(index.bits == direct.bits, "\(label)")
        #expect(index.size == direct.size, "\(label)")
        #expect(index.threshold == direct.threshold, "\(label)")
    }

    @Test(arguments: [1, 2, 7, 64, 65, 1000, 4099, 30000])
    func inMemoryMasksEqualTheDirectPath(count: Int) throws {
        for seed in 0..<3 as Range<UInt64> {
            let values = Self.tieHeavy(count: count, seed: seed &+ UInt64(count))
            let index = try SubnetworkIndex(FlatTensors(layout: TensorLayout([("v", [count])]), values: values))
            let random = (0..<12).map { step in Double(step * 7919 % 997 + 1) / 999 }
            for p in Self.ps + random {
                Self.expectSame(try index.subnetwork(p: p), try Subnetwork(fisher: values, p: p), "n=\(count) seed=\(seed) p=\(p)")
            }
        }
    }

    /// Long enough that the cuts and the codes are built in several stretches at once (one per core and
    /// more), merged after: the same masks as the direct path.
    @Test func aVectorBuiltInParallelStretchesAgrees() throws {
        let count = 2_500_003
        let values = Self.tieHeavy(count: count, seed: 77)
        let index = try SubnetworkIndex(FlatTensors(layout: TensorLayout([("v", [count])]), values: values))
        for p in [1e-6, 0.01, 0.0731, 0.15, 0.5, 0.999999] {
            Self.expectSame(try index.subnetwork(p: p), try Subnetwork(fisher: values, p: p), "p=\(p)")
        }
    }

    /// Every length up to 70 over a five-value alphabet, at a fine sweep of p: every way ranks can fall
    /// on, inside or across groups.
    @Test func exhaustiveSmallShapes() throws {
        let alphabet: [Float] = [-0.0, 0, 0.5, 1, 2]
        for count in 1...70 {
            let values = (0..<count).map { alphabet[($0 * 7 + count * 3) % alphabet.count] }
            let index = try SubnetworkIndex(FlatTensors(layout: TensorLayout([("v", [count])]), values: values))
            for step in 1..<200 {
                let p = Double(step) / 200
                Self.expectSame(try index.subnetwork(p: p), try Subnetwork(fisher: values, p: p), "n=\(count) p=\(p)")
            }
        }
    }

    /// A session folder with one Fisher file of two tensors (not in name order).
    static func session(values: [Float]) throws -> (store: MaskIndexStore, fisher: URL, notes: NoteLog) {
        let folder = try Fixtures.temporaryDirectory()
        let fisher = folder.appendingPathComponent("fisher/de.seed1.safetensors")
        try FileManager.default.createDirectory(at: fisher.deletingLastPathComponent(), withIntermediateDirectories: true)
        try writeFisher(values, to: fisher)
        let notes = NoteLog()
        return (MaskIndexStore(session: folder, notes: { notes.append($0) }), fisher, notes)
    }

    static func writeFisher(_ values: [Float], to url: URL) throws {
        let split = values.count / 3
        let layout = TensorLayout([("z.weight", [split]), ("a.bias", [values.count - split])])
        try SafeTensorsWriter.write(FlatTensors(layout: layout, values: values), metadata: [:], to: url)
    }

    @Test func aSavedIndexIsReopenedWithoutReadingFisherAndAgrees() throws {
        let values = Self.tieHeavy(count: 20011, seed: 5)
        let (store, fisher, notes) = try Self.session(values: values)
        let first = try store.openOrBuild(fisher)
        #expect(first.built)
        let index = try store.url(forFisher: fisher)
        #expect(index.path.hasSuffix("/index/de.seed1.maskindex"))
        let size = try #require(try FileManager.default.attributesOfItem(atPath: index.path)[.size] as? Int)
        // One byte per value, plus a header of a few kB whatever the model size.
        #expect(size <= CodePlanes.wordCount(values.count) * 64 + 16_384, "\(size) bytes for \(values.count) values")
        let again = try store.openOrBuild(fisher)
        #expect(!again.built)
        for p in Self.ps {
            Self.expectSame(try again.index.subnetwork(p: p), try Subnetwork(fisher: values, p: p), "p=\(p)")
        }
        #expect(notes.all.isEmpty)
    }

    /// Damage of every kind is noticed, named, and repaired from the Fisher file; the mask is right.
    @Test(arguments: ["truncated", "header edited", "not an index", "codes edited", "codes swapped"])
    func aDamagedIndexIsRebuiltNeverUsed(damage: String) throws {
        let values = Self.tieHeavy(count: 9001, seed: 11)
        let (store, fisher, notes) = try Self.session(values: values)
        _ = try store.openOrBuild(fisher)
        let url = store.url(forFisher: fisher)
        var bytes = try Data(contentsOf: url)
        let planes = bytes.count - CodePlanes.wordCount(values.count) * 64
        switch damage {
        case "truncated": bytes.removeLast(100)
        case "header edited":
            let colon = try #require(bytes.firstRange(of: Data("\"count\":".utf8)))
            bytes[colon.upperBound] = bytes[colon.upperBound] == UInt8(ascii: "8") ? UInt8(ascii: "7") : UInt8(ascii: "8")
        case "not an index": bytes.replaceSubrange(0..<8, with: Data("NOTANIDX".utf8))
        case "codes edited": bytes[planes + 64 * 40 + 3] ^= 0x10
        default:  // two values' codes exchanged: every group count stays right
            let (a, b) = (planes + 64 * 10, planes + 64 * 90)
            let first = bytes[a..<(a + 64)]
            bytes.replaceSubrange(a..<(a + 64), with: bytes[b..<(b + 64)])
            bytes.replaceSubrange(b..<(b + 64), with: first)
        }
        try bytes.write(to: url)
        let opened = try store.open(fisher)
        for p in [0.15, 0.0731] {
            Self.expectSame(try opened.subnetwork(p: p), try Subnetwork(fisher: values, p: p), "\(damage) p=\(p)")
        }
        #expect(notes.all.count == 1 && notes.all[0].contains(url.path) && notes.all[0].contains("rebuilding"), "\(notes.all)")
        #expect(!(try store.openOrBuild(fisher).built), "the rebuilt index was saved")
    }

    @Test func anIndexFollowsItsFisherFile() throws {
        let values = Self.tieHeavy(count: 5003, seed: 3)
        let (store, fisher, notes) = try Self.session(values: values)
        _ = try store.openOrBuild(fisher)
        // Same content, new time and inode (a copied session): the SHA-256 says it is the same file.
        let copy = fisher.deletingLastPathComponent().appendingPathComponent("copy")
        try FileManager.default.copyItem(at: fisher, to: copy)
        try FileManager.default.removeItem(at: fisher)
        try FileManager.default.moveItem(at: copy, to: fisher)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-3600)], ofItemAtPath: fisher.path)
        #expect(!(try store.openOrBuild(fisher).built))
        // Other values of the same size: rebuilt, and the masks are the new file's.
        let changed = values.reversed().map { $0 * 2 }
        try Self.writeFisher(changed, to: fisher)
        let rebuilt = try store.openOrBuild(fisher)
        #expect(rebuilt.built && notes.all.count == 1 && notes.all[0].contains("another version"), "\(notes.all)")
        for p in Self.ps {
            Self.expectSame(try rebuilt.index.subnetwork(p: p), try Subnetwork(fisher: Array(changed), p: p), "p=\(p)")
        }
    }

    @Test func anUnwritableSessionKeepsTheIndexInMemory() throws {
        let values = Self.tieHeavy(count: 3000, seed: 9)
        let (store, fisher, notes) = try Self.session(values: values)
        let folder = store.session.appendingPathComponent("index")
        try Data("a file where the folder should be".utf8).write(to: folder)
        let index = try store.open(fisher)
        Self.expectSame(try index.subnetwork(p: 0.0731), try Subnetwork(fisher: values, p: 0.0731), "in memory")
        #expect(notes.all.count == 1 && notes.all[0].contains("kept in memory"), "\(notes.all)")
    }

    @Test func nanInAFisherFileIsAnInputErrorNamingIt() throws {
        var values = Self.tieHeavy(count: 100, seed: 1)
        values[50] = .nan
        let (store, fisher, _) = try Self.session(values: values)
        #expect { try store.open(fisher) } throws: { error in
            (error as? InputError)?.file == fisher.path && "\(error)".contains("NaN")
        }
        #expect(!FileManager.default.fileExists(atPath: store.url(forFisher: fisher).path))
    }
}

final class NoteLog: @unchecked Sendable {
    private let lock = NSLock()
    private var notes: [String] = []
    func append(_ note: String) { lock.withLock { notes.append(note) } }
    var all: [String] { lock.withLock { notes } }
}
