import Foundation
import XSNSStorage

/// The Fisher vectors of a session folder: `fisher/<lang>.seed<k>.safetensors`, found by listing the folder
/// (so the analysis does not depend on the session manifest).
public struct FisherCatalog: Sendable {
    public let session: URL
    /// The folder of Fisher files under the session: `fisher`, or `convergence/n<N>`.
    public let folder: String
    /// language → seed → file
    public let files: [String: [Int: URL]]

    /// `--session NAME`: `Sessions/NAME` under `directory`, or the path itself when it contains a `/`.
    public static func sessionURL(_ name: String, in directory: URL) -> URL {
        name.contains("/")
            ? URL(fileURLWithPath: name, relativeTo: directory).standardizedFileURL
            : directory.appendingPathComponent("Sessions").appendingPathComponent(name)
    }

    /// `folder`: `fisher` (the runs' Fisher), or a `convergence/n<N>` folder of the same layout.
    public init(session: URL, folder name: String = "fisher") throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: session.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError(file: session.path, "no such session folder")
        }
        let folder = session.appendingPathComponent(name)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var files: [String: [Int: URL]] = [:]
        for name in names where name.hasSuffix(".safetensors") {
            let stem = name.dropLast(".safetensors".count)
            guard let marker = stem.range(of: ".seed", options: .backwards),
                let seed = Int(stem[marker.upperBound...]), marker.lowerBound > stem.startIndex
            else { continue }
            let language = String(stem[..<marker.lowerBound])
            guard Self.isLanguageCode(language) else { continue }
            files[language, default: [:]][seed] = folder.appendingPathComponent(name)
        }
        guard !files.isEmpty else {
            throw InputError(file: folder.path, "no Fisher files (<lang>.seed<k>.safetensors); run xsns compute first")
        }
        self.session = session
        self.folder = name
        self.files = files
    }

    public var languages: [String] { files.keys.sorted() }

    /// The codes `xsns compute` writes (ASCII letters, digits, '-', '_'): anything else in the folder is
    /// not ours, and such names must not reach the paths an export writes.
    static func isLanguageCode(_ code: String) -> Bool {
        !code.isEmpty && code.count <= 32
            && code.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }
    }

    /// Checks that every requested language has Fisher (one clear line naming what is missing).
    public func require(_ language: String) throws {
        guard files[language] != nil else {
            throw InputError(
                "unknown language '\(language)': the session has Fisher for \(languages.joined(separator: ", "))")
        }
    }

    /// One Fisher file as a flat vector, tensors in file order.
    public static func load(_ url: URL) throws -> FlatTensors {
        let file = try SafeTensorsFile(url: url)
        let layout = TensorLayout(file.tensors.map { ($0.name, $0.shape) })
        var values = [Float](repeating: 0, count: layout.totalCount)
        try values.withUnsafeMutableBufferPointer { buffer in
            for entry in layout.entries {
                try file.readFloats(entry.name, into: UnsafeMutableBufferPointer(rebasing: buffer[entry.range]))
            }
        }
        return FlatTensors(layout: layout, values: values)
    }

    /// The folder's persistent mask indexes (`MaskIndexStore`).
    public func indexStore(notes: @escaping @Sendable (String) -> Void = MaskIndexStore.printNote) -> MaskIndexStore {
        MaskIndexStore(session: session, folder: folder, notes: notes)
    }

    /// The mask index of every (language, seed) of the given languages (default: all), opened from the
    /// session's index files, or built (two at a time, bounding memory) where they are missing or stale.
    /// `progress` is told (done, total, built) after each (`xsns index` shows it).
    public func indexes(
        languages requested: [String]? = nil, notes: @escaping @Sendable (String) -> Void = MaskIndexStore.printNote,
        progress: (@Sendable (Int, Int, Bool) -> Void)? = nil
    ) throws -> [String: [Int: SubnetworkIndex]] {
        let chosen = requested ?? languages
        for language in chosen { try require(language) }
        let store = indexStore(notes: notes)
        let runs = chosen.flatMap { language in (files[language] ?? [:]).sorted { $0.key < $1.key }.map { (language, $0.key, $0.value) } }
        let opened = store.openAll(runs.map(\.2), progress: progress).map { $0.map(\.index) }
        var indexes: [String: [Int: SubnetworkIndex]] = [:]
        var layout: TensorLayout?
        for ((language, seed, url), result) in zip(runs, opened) {
            let index = try result.get()
            if let layout, layout != index.layout {
                throw InputError(file: url.path, "its tensors differ from the session's other Fisher files")
            }
            layout = index.layout
            indexes[language, default: [:]][seed] = index
        }
        return indexes
    }

    /// Indexes of the given languages (default: all) as one collection. With `seedAveraged`, each
    /// language has a single index (key 0) of its Fisher averaged over seeds, built in memory.
    public func collection(
        languages requested: [String]? = nil, seedAveraged: Bool = false,
        progress: (@Sendable (Int, Int, Bool) -> Void)? = nil
    ) throws -> SubnetworkCollection {
        let chosen = requested ?? languages
        guard seedAveraged else {
            return try SubnetworkCollection(languages: chosen, indexes: indexes(languages: chosen, progress: progress))
        }
        var indexes: [String: [Int: SubnetworkIndex]] = [:]
        for language in chosen {
            try require(language)
            let seeds = files[language] ?? [:]
            let mean = try FlatTensors.mean(seeds.keys.sorted().compactMap { seeds[$0] }.map(Self.load))
            indexes[language] = [0: try SubnetworkIndex(mean, source: seeds.values.first?.path)]
        }
        return try SubnetworkCollection(languages: chosen, indexes: indexes)
    }
}
