import Foundation
import XSNSStorage

/// The Fisher vectors of a session folder: `fisher/<lang>.seed<k>.safetensors`, found by listing the folder
/// (so the analysis does not depend on the session manifest).
public struct FisherCatalog: Sendable {
    public let session: URL
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

    /// Indexes of the given languages (default: all), one file at a time to bound memory. With
    /// `seedAveraged`, each language has a single index (key 0) of its Fisher averaged over seeds.
    public func collection(languages requested: [String]? = nil, seedAveraged: Bool = false) throws
        -> SubnetworkCollection
    {
        let chosen = requested ?? languages
        var indexes: [String: [Int: SubnetworkIndex]] = [:]
        for language in chosen {
            try require(language)
            let seeds = files[language] ?? [:]
            if seedAveraged {
                let mean = try FlatTensors.mean(seeds.keys.sorted().compactMap { seeds[$0] }.map(Self.load))
                indexes[language] = [0: try SubnetworkIndex(mean, source: seeds.values.first?.path)]
            } else {
                for (seed, url) in seeds {
                    indexes[language, default: [:]][seed] = try SubnetworkIndex(Self.load(url), source: url.path)
                }
            }
        }
        return try SubnetworkCollection(languages: chosen, indexes: indexes)
    }
}
