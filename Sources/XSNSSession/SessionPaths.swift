import Foundation
import XSNSStorage

/// Where everything lives inside a session folder. Language codes become file names, so they
/// are restricted to letters, digits, `-` and `_` (`en`, `zh-Hans`, `pt_BR`).
public struct SessionPaths: Sendable {
    public let folder: URL

    public init(folder: URL) {
        self.folder = folder
    }

    public var manifest: URL { folder.appendingPathComponent("session.json") }
    /// The lock serialising manifest updates (session.json itself is replaced on every write,
    /// so it cannot carry the lock).
    var manifestLock: URL { folder.appendingPathComponent(".session.lock") }

    public func fisher(language: String, seed: Int) -> URL {
        folder.appendingPathComponent(relativeFisher(language: language, seed: seed))
    }

    /// The form recorded in `RunRecord.fisher`.
    public func relativeFisher(language: String, seed: Int) -> String {
        "fisher/\(language).seed\(seed).safetensors"
    }

    public func inputs(language: String, seed: Int) -> URL {
        folder.appendingPathComponent("inputs/\(language).seed\(seed).jsonl")
    }

    /// The resumable state of a running computation (accumulators, counts, RNG state).
    public func checkpoint(language: String, seed: Int) -> URL {
        folder.appendingPathComponent("checkpoints/\(language).seed\(seed).safetensors")
    }

    /// The running Fisher of a run after `sentences` sentences (`compute --convergence`).
    public func convergence(language: String, seed: Int, sentences: Int) -> URL {
        folder.appendingPathComponent("convergence/n\(sentences)/\(language).seed\(seed).safetensors")
    }

    /// Head importance E|∂L/∂ξ_h| of one run, a [layers, heads] tensor `head_importance`.
    public func headImportance(language: String, seed: Int) -> URL {
        folder.appendingPathComponent("heads/\(language).seed\(seed).safetensors")
    }

    /// The EMB baseline of one run: tensor `embedding` [hidden], the mean over the run's sentences of
    /// each sentence's mean-pooled last hidden state.
    public func embedding(language: String, seed: Int) -> URL {
        folder.appendingPathComponent("baselines/emb/\(language).seed\(seed).safetensors")
    }

    /// The LEX baseline of one language: unigram counts of token ids over its whole corpus (JSON).
    /// The run's per-sentence gradient sketches (`compute --sketch D`): tensor `sketch` [sentences, D].
    public func sketch(language: String, seed: Int) -> URL {
        folder.appendingPathComponent("sketches/\(language).seed\(seed).safetensors")
    }

    public func lexicalCounts(language: String) -> URL {
        folder.appendingPathComponent("baselines/lex/\(language).json")
    }

    /// One run's record, written by its claim holder (`RunStatusFiles`).
    public func runStatus(language: String, seed: Int) -> URL {
        folder.appendingPathComponent("runs/\(language).seed\(seed).json")
    }

    /// The folder of the pair's numbered claim files (`RunClaim`).
    public func claim(language: String, seed: Int) -> URL {
        folder.appendingPathComponent("claims/\(language).seed\(seed)")
    }

    static let subfolders = ["fisher", "inputs", "checkpoints", "claims", "heads", "sketches", "runs", "pruning", "baselines/emb", "baselines/lex"]

    public static func isValidLanguage(_ code: String) -> Bool {
        !code.isEmpty && code.count <= 32
            && code.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_") }
    }

    public static func checkLanguage(_ code: String) throws {
        guard isValidLanguage(code) else {
            throw InputError("invalid language code '\(code)' (letters, digits, '-' and '_' only)")
        }
    }

    static func isSafeRelativePath(_ path: String) -> Bool {
        !path.hasPrefix("/") && !path.split(separator: "/").contains("..")
    }
}
