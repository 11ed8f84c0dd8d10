import Foundation
import XSNSEngine
import XSNSStorage

/// Writes `inputs/<lang>.seed<k>.jsonl` (one `{"input_ids":[…],"labels":[…]}` per sentence, plus
/// `"token_type_ids"` for a pair with types and `"batch"` for the xsns estimator) so the computation can be replayed in another framework.
/// Lines go to a `.partial` file; a checkpoint records its length, a resume cuts it back to that
/// length, and `finish` publishes it under the final name by an atomic rename.
package final class InputRecorder {
    private let finalURL: URL
    private let partialURL: URL
    private let handle: FileHandle

    package init(url: URL, resumingAt bytes: UInt64?) throws {
        finalURL = url
        partialURL = url.appendingPathExtension("partial")
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if bytes == nil || !manager.fileExists(atPath: partialURL.path) {
                _ = manager.createFile(atPath: partialURL.path, contents: nil)
            }
            handle = try FileHandle(forUpdating: partialURL)
            try handle.truncate(atOffset: bytes ?? 0)
            try handle.seekToEnd()
        } catch {
            throw RuntimeFailure("cannot write \(partialURL.path): \(error.localizedDescription)")
        }
    }

    deinit { try? handle.close() }

    /// A process killed after publishing the inputs but before marking the run done left the journal
    /// under its final name: move it back so the resumed run can extend or rewrite it.
    static func reclaimPublished(_ url: URL) {
        let partial = url.appendingPathExtension("partial")
        let manager = FileManager.default
        guard !manager.fileExists(atPath: partial.path), manager.fileExists(atPath: url.path) else { return }
        try? manager.moveItem(at: url, to: partial)
    }

    /// Whether a resume at `bytes` is possible (the partial file still holds that much).
    package static func canResume(_ url: URL, at bytes: UInt64) -> Bool {
        let partial = url.appendingPathExtension("partial")
        let size = (try? FileManager.default.attributesOfItem(atPath: partial.path)[.size] as? NSNumber)?.uint64Value
        return (size ?? 0) >= bytes && (bytes == 0 || size != nil)
    }

    func record(_ sentence: MaskedSequence, batch: Int?) throws {
        var line = "{\"input_ids\":[" + sentence.inputIds.map(String.init).joined(separator: ",")
        line += "],\"labels\":[" + sentence.labels.map(String.init).joined(separator: ",") + "]"
        if let types = sentence.typeIds { line += ",\"token_type_ids\":[" + types.map(String.init).joined(separator: ",") + "]" }
        if let batch { line += ",\"batch\":\(batch)" }
        try append(line + "}\n")
    }

    /// Appends raw text (one or more whole JSON lines).
    package func append(_ line: String) throws {
        do { try handle.write(contentsOf: Data(line.utf8)) } catch {
            throw RuntimeFailure("cannot write \(partialURL.path): \(error.localizedDescription)")
        }
    }

    /// Flushes to disk and returns the length that a checkpoint may record.
    package func sync() throws -> UInt64 {
        do {
            try handle.synchronize()
            return try handle.offset()
        } catch {
            throw RuntimeFailure("cannot write \(partialURL.path): \(error.localizedDescription)")
        }
    }

    package func finish() throws {
        _ = try sync()
        try AtomicFile.publish(partialURL, as: finalURL)
    }
}
