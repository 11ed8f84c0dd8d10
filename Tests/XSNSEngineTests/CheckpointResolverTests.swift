import Foundation
import Testing
import XSNSEngine
import XSNSStorage
import XSNSTestSupport

struct CheckpointResolverTests {
    @Test func aLocalFolderResolvesToItsFiles() throws {
        let files = try ModelResolver.resolve(CheckpointFixtures.folder("xlmr-tiny").path, environment: [:])
        #expect(files.config.lastPathComponent == "config.json")
        #expect(files.weights.map(\.lastPathComponent) == ["model.safetensors"])
        #expect(files.tokenizer?.lastPathComponent == "tokenizer.json")
    }

    @Test func aShardedFolderListsEveryShardOfTheIndex() throws {
        let files = try ModelResolver.resolve(CheckpointFixtures.folder("xlmr-tiny-sharded").path, environment: [:])
        let expected = try CheckpointFixtures.expected("xlmr-tiny-sharded")
        #expect(files.weights.map(\.lastPathComponent) == expected.files)
    }

    /// Each way of naming the model, against each way of configuring the cache location.
    @Test(arguments: [
        ("xlm-roberta-base", "FacebookAI/xlm-roberta-base"),
        ("FacebookAI/xlm-roberta-base", "FacebookAI/xlm-roberta-base"),
        ("xlm-roberta-base", "xlm-roberta-base"),
        ("bert-base-multilingual-cased", "google-bert/bert-base-multilingual-cased"),
        ("someone/tiny-model", "someone/tiny-model"),
    ])
    func hubIdsAreFoundInTheCache(spec: String, cachedAs repository: String) throws {
        let cache = try CheckpointFixtures.hubCache(holding: "xlmr-tiny", as: repository)
        // The same tree reached through each variable huggingface_hub honours, in its precedence.
        let hfHome = try Self.linking(cache, at: "hub")
        let userHome = try Self.linking(cache, at: ".cache/huggingface/hub")
        let xdgCache = try Self.linking(cache, at: "huggingface/hub")
        let environments = [
            ["HF_HUB_CACHE": cache.path, "HF_HOME": "/nonexistent", "HOME": "/nonexistent"],
            ["HF_HOME": hfHome.path, "HOME": "/nonexistent"],
            ["HOME": userHome.path],
            ["XDG_CACHE_HOME": xdgCache.path, "HOME": "/nonexistent"],
        ]
        for environment in environments {
            let files = try ModelResolver.resolve(spec, environment: environment)
            #expect(files.directory.path.hasSuffix("snapshots/0123456789abcdef0123456789abcdef01234567"))
            #expect(files.spec == spec)
            #expect(try WeightStore(files).names.count == 42)
        }
    }

    /// A new folder in which `relativePath` is a symlink to `target`.
    static func linking(_ target: URL, at relativePath: String) throws -> URL {
        let root = try Fixtures.temporaryDirectory("cache-root")
        let link = root.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        return root
    }

    @Test func withoutRefsTheOnlySnapshotIsUsed() throws {
        let cache = try CheckpointFixtures.hubCache(holding: "bert-tiny", as: "google-bert/bert-base-multilingual-cased",
                                                    withReference: false)
        let files = try ModelResolver.resolve("bert-base-multilingual-cased", environment: ["HF_HUB_CACHE": cache.path])
        #expect(files.weights.count == 1)
    }

    @Test func aMissingHubIdSaysWhereItLookedAndHowToDownload() throws {
        let cache = try Fixtures.temporaryDirectory("empty-hub")
        do {
            _ = try ModelResolver.resolve("xlm-roberta-base", environment: ["HF_HUB_CACHE": cache.path])
            Issue.record("resolved a model that is not there")
        } catch let error as InputError {
            let message = error.description
            #expect(!message.contains("\n"))
            #expect(message.contains(cache.appendingPathComponent("models--xlm-roberta-base").path))
            #expect(message.contains(cache.appendingPathComponent("models--FacebookAI--xlm-roberta-base").path))
            #expect(message.contains("huggingface-cli download FacebookAI/xlm-roberta-base"))
        }
    }

    @Test(arguments: ["/no/such/folder", "../../etc", "a/b/c", "org/../x", ""])
    func pathsThatDoNotExistAreInputErrors(spec: String) {
        #expect(throws: InputError.self) { try ModelResolver.resolve(spec, environment: ["HF_HUB_CACHE": "/nonexistent"]) }
    }

    @Test func folderProblemsAreNamed() throws {
        let folder = try CheckpointFixtures.copy("xlmr-tiny")
        try FileManager.default.removeItem(at: folder.appendingPathComponent("model.safetensors"))
        #expect(throws: InputError(file: folder.standardizedFileURL.path,
                                   "no model.safetensors or model.safetensors.index.json")) {
            try ModelResolver.resolve(folder.path, environment: [:])
        }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("config.json"))
        #expect(throws: InputError.self) { try ModelResolver.resolve(folder.path, environment: [:]) }
    }

    @Test func aShardIndexNamingAMissingOrEscapingFileIsAnInputError() throws {
        let folder = try CheckpointFixtures.copy("xlmr-tiny-sharded")
        let index = folder.appendingPathComponent("model.safetensors.index.json")
        for shard in ["model-00009-of-00009.safetensors", "../xlmr-tiny/model.safetensors"] {
            try Data(#"{"weight_map":{"a":"\#(shard)"}}"#.utf8).write(to: index)
            #expect(throws: InputError.self) { try ModelResolver.resolve(folder.path, environment: [:]) }
        }
        try Data("[]".utf8).write(to: index)
        #expect(throws: InputError.self) { try ModelResolver.resolve(folder.path, environment: [:]) }
    }
}
