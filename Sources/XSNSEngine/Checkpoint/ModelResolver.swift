import Foundation
import XSNSStorage

/// Turns a model spec into its files: a local checkpoint folder, or a hub id looked up in the
/// Hugging Face cache (never downloaded: the tool runs offline on compute nodes).
public enum ModelResolver {
    /// Hub ids whose canonical repository moved under an organisation; the cache may hold either
    /// spelling depending on how the user downloaded it.
    static func canonicalOrganisation(of name: String) -> String? {
        if name.hasPrefix("xlm-roberta-") || name.hasPrefix("roberta-") { return "FacebookAI" }
        if name.hasPrefix("bert-") { return "google-bert" }
        if name.hasPrefix("distilbert-") { return "distilbert" }
        return nil
    }

    public static func resolve(
        _ spec: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ModelFiles {
        let expanded = HubCache.expandingTilde(spec, environment)
        let local = URL(fileURLWithPath: expanded)
        if HubCache.isDirectory(local) {
            return try files(in: local.standardizedFileURL, spec: spec)
        }
        guard let repositories = hubRepositories(spec) else {
            throw InputError(file: spec, "no such model folder (and not a Hugging Face model id)")
        }
        let cache = HubCache.root(environment: environment)
        var looked: [String] = []
        for repository in repositories {
            let folder = cache.appendingPathComponent(HubCache.folderName(repository: repository))
            looked.append(folder.path)
            if let snapshot = HubCache.snapshot(in: folder) {
                return try files(in: snapshot, spec: spec)
            }
        }
        let download = repositories.last ?? spec
        throw InputError(
            "model '\(spec)' not found: not a local folder (\(local.path)) and not in the Hugging Face cache "
            + "(looked in \(looked.joined(separator: ", "))); download it with "
            + "`huggingface-cli download \(download)` (set HF_HUB_CACHE or HF_HOME if it lives elsewhere)")
    }

    /// The repository names to try for a hub id, or nil when `spec` cannot be one (a path).
    static func hubRepositories(_ spec: String) -> [String]? {
        let parts = spec.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let validPart = { (part: String) in
            !part.isEmpty && part != "." && part != ".." && part.count <= 96
                && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        }
        guard (1...2).contains(parts.count), parts.allSatisfy(validPart) else { return nil }
        if parts.count == 1, let organisation = canonicalOrganisation(of: spec) {
            return [spec, "\(organisation)/\(spec)"]
        }
        return [spec]
    }

    /// The checkpoint files inside a folder, with a precise message for what is missing.
    static func files(in directory: URL, spec: String) throws -> ModelFiles {
        let fileManager = FileManager.default
        let config = directory.appendingPathComponent("config.json")
        guard fileManager.fileExists(atPath: config.path) else {
            throw InputError(file: config.path, "missing: a checkpoint folder needs config.json")
        }
        let index = directory.appendingPathComponent("model.safetensors.index.json")
        let single = directory.appendingPathComponent("model.safetensors")
        let weights: [URL]
        if fileManager.fileExists(atPath: index.path) {
            weights = try ShardIndex.shards(of: index)
        } else if fileManager.fileExists(atPath: single.path) {
            weights = [single]
        } else if fileManager.fileExists(atPath: directory.appendingPathComponent("pytorch_model.bin").path) {
            throw InputError(file: directory.path, "only PyTorch .bin weights here; safetensors weights are needed "
                + "(re-download with `huggingface-cli download` or convert with `save_pretrained(safe_serialization=True)`)")
        } else {
            throw InputError(file: directory.path, "no model.safetensors or model.safetensors.index.json")
        }
        let tokenizer = directory.appendingPathComponent("tokenizer.json")
        return ModelFiles(
            spec: spec, directory: directory, config: config, weights: weights,
            tokenizer: fileManager.fileExists(atPath: tokenizer.path) ? tokenizer : nil)
    }
}
