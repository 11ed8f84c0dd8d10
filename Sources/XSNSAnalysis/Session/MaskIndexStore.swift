import Foundation
import XSNSStorage

/// The persistent mask indexes of a session's Fisher files: `index/<lang>.seed<k>.maskindex` for
/// `fisher/`, `index/<folder>/…` for another folder of Fisher files (`convergence/n<N>`).
///
/// `compute` writes a run's index as it finishes; an older session's are built on first use. An index is
/// used only while it belongs to the Fisher file as it is now (same size, time and inode, else the same
/// SHA-256); a stale, damaged or foreign one is rebuilt, with a note naming it. Where the session cannot
/// be written the index is kept in memory for the process.
public struct MaskIndexStore: Sendable {
    public let session: URL
    public let folder: String
    /// Told about rebuilt and unwritable indexes (the workbench lists them; commands print them).
    public let notes: @Sendable (String) -> Void

    public init(session: URL, folder: String = "fisher", notes: @escaping @Sendable (String) -> Void = MaskIndexStore.printNote) {
        self.session = session
        self.folder = folder
        self.notes = notes
    }

    @Sendable public static func printNote(_ note: String) {
        FileHandle.standardError.write(Data("note: \(note)\n".utf8))
    }

    public func url(forFisher fisher: URL) -> URL {
        var directory = session.appendingPathComponent("index")
        if folder != "fisher" { directory = directory.appendingPathComponent(folder) }
        return directory.appendingPathComponent(fisher.deletingPathExtension().lastPathComponent + ".maskindex")
    }

    /// The index of a Fisher file: opened when current, else (re)built from the file and saved.
    public func open(_ fisher: URL) throws -> SubnetworkIndex { try openOrBuild(fisher).index }

    /// The index, and whether it had to be built (the Fisher file read whole).
    public func openOrBuild(_ fisher: URL) throws -> (index: SubnetworkIndex, built: Bool) {
        let indexURL = url(forFisher: fisher)
        if FileManager.default.fileExists(atPath: indexURL.path) {
            do {
                if let index = try openExisting(fisher, at: indexURL) { return (index, false) }
                notes("\(indexURL.path) was built from another version of \(fisher.lastPathComponent): rebuilding it")
            } catch let damaged as IndexDamaged {
                notes("\(damaged): rebuilding it")
            }
        }
        let vector = try FisherCatalog.load(fisher)
        return (try save(vector, fisher: fisher), true)
    }

    /// Opens (or builds) the indexes of many Fisher files, two at a time, each failure kept apart;
    /// `progress` is told (done, total, built) after each.
    public func openAll(_ fishers: [URL], progress: (@Sendable (Int, Int, Bool) -> Void)? = nil)
        -> [Result<(index: SubnetworkIndex, built: Bool), any Error>]
    {
        // Cold, each open waits on a few small reads (index header, pair counts): start them all first.
        let indexes = fishers.map(url(forFisher:))
        Prefetch.beginnings(of: indexes + indexes.map(PairCountFile.url(forIndex:)), bytes: 1 << 18)
        return ParallelMap.map(fishers.count, finished: { outcome, done in
            // A file that cannot be read was an attempt to build its index.
            progress?(done, fishers.count, (try? outcome.get().built) ?? true)
        }) { job in
            Result { try openOrBuild(fishers[job]) }
        }
    }

    /// Indexes a Fisher vector just written to `fisher` (by `compute`: its values are at hand).
    @discardableResult
    public func save(_ vector: FlatTensors, fisher: URL) throws -> SubnetworkIndex {
        var signature = try FisherSignature.current(fisher)
        let built = try SubnetworkIndex.build(vector, source: fisher.path)
        signature.sha256 = try DigestCache.hexDigest(ofFileAt: fisher)
        let indexURL = url(forFisher: fisher)
        TemporaryName.removeAbandoned(in: indexURL.deletingLastPathComponent())
        do {
            try MaskIndexFile.write(layout: vector.layout, groups: built.groups, planes: built.planes, headMass: built.headMass,
                                    fisher: signature, to: indexURL)
            if let index = try openExisting(fisher, at: indexURL) { return index }
        } catch {
            notes("cannot write \(indexURL.path) (\(error)): its index is kept in memory for now")
        }
        let box = PlaneBox(built.planes)
        return SubnetworkIndex(layout: vector.layout, groups: built.groups, planes: box.pointer, owner: box,
                               fisher: try MappedFisher(fisher, layout: vector.layout), headMass: built.headMass, file: nil)
    }

    /// nil when the index belongs to another version of the Fisher file.
    private func openExisting(_ fisher: URL, at indexURL: URL) throws -> SubnetworkIndex? {
        let (mapping, header, planes) = try MaskIndexFile.read(indexURL)
        let now = try FisherSignature.current(fisher)
        if !header.fisher.sameFile(as: now) {
            guard now.bytes == header.fisher.bytes, try DigestCache.hexDigest(ofFileAt: fisher) == header.fisher.sha256 else {
                return nil
            }
        }
        let store = self
        return SubnetworkIndex(
            layout: header.layout, groups: header.groups, planes: planes, owner: mapping, fisher: LazyFisher(fisher, layout: header.layout),
            headMass: header.headMass.map(HeadGrid.init), file: indexURL.path,
            fisherDigest: header.fisher.sha256, digest: UInt64(header.planesDigest, radix: 16),
            rebuild: { damaged in
                store.notes("\(damaged): rebuilding it")
                return try store.save(try FisherCatalog.load(fisher), fisher: fisher)
            })
    }
}
