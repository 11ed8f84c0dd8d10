import ArgumentParser
import Foundation
import XSNSStorage
import XSNSTokenizers

/// `xsns tokenize`: shows how a tokenizer.json splits text, with the ids Hugging Face would give.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize text with a Hugging Face tokenizer.json (ids include special tokens).",
        discussion: """
            Without TEXT, every line of standard input is one input. With --pair, every input is encoded as a \
            pair with that second segment (the tokenizer's pair template; json then adds "type_ids").
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    @Option(help: "A tokenizer.json file, or a model directory containing one.")
    var tokenizer: String

    @Option(help: "table: one row per token; json: one {\"ids\":[...],\"tokens\":[...]} object per input.")
    var format: Format = .table

    @Option(help: "A second segment: encode each input as the pair (input, PAIR), as tokenizer.encode(a, b).")
    var pair: String?

    @Option(help: "Truncate to this many tokens, special tokens included (a pair: longest_first, as tokenizers).")
    var maxLength: Int?

    @Argument(help: "Texts to tokenize.")
    var text: [String] = []

    func run() throws {
        if let maxLength, maxLength < 1 { throw InputError("--max-length must be at least 1, got \(maxLength)") }
        let loaded = try loadTokenizer()
        var output = BufferedOutput()
        var number = 0
        func emit(_ input: String) {
            number += 1
            let encoding = pair.map { loaded.encode(input, pair: $0, maxLength: maxLength) }
                ?? loaded.encode(input, maxLength: maxLength)
            switch format {
            case .json: output.write(Self.json(encoding) + "\n")
            case .table: output.write(Self.table(encoding, input: input, number: number))
            }
        }
        if text.isEmpty {
            while let line = readLine(strippingNewline: true) { emit(line) }
        } else {
            text.forEach(emit)
        }
        output.flush()
    }

    private func loadTokenizer() throws -> Tokenizer {
        var url = URL(fileURLWithPath: tokenizer)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw InputError(file: tokenizer, "no such file or directory")
        }
        if isDirectory.boolValue {
            url.appendPathComponent("tokenizer.json")
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw InputError(file: tokenizer, "the directory holds no tokenizer.json")
            }
        }
        return try Tokenizer(contentsOf: url)
    }

    /// `{"ids":[...],"tokens":[...]}` on one line, non-ASCII text kept as UTF-8.
    static func json(_ encoding: Encoding) -> String {
        let ids = encoding.ids.map(String.init).joined(separator: ",")
        let tokens = encoding.tokens.map(JSONString.quoted).joined(separator: ",")
        let types = encoding.typeIds.map { ",\"type_ids\":[" + $0.map(String.init).joined(separator: ",") + "]" } ?? ""
        return "{\"ids\":[\(ids)],\"tokens\":[\(tokens)]\(types)}"
    }


    /// A header naming the input, then one aligned row per token: position, id, token. Tokens are shown
    /// with invisible and control characters escaped, so every row is one visible line.
    static func table(_ encoding: Encoding, input: String, number: Int) -> String {
        var lines = ["input \(number): \(encoding.ids.count) tokens  \(visible(input))"]
        let positionWidth = String(max(encoding.ids.count - 1, 0)).count
        let idWidth = encoding.ids.map { String($0).count }.max() ?? 1
        for (position, (id, token)) in zip(encoding.ids, encoding.tokens).enumerated() {
            let positionText = String(position).leftPadded(to: positionWidth)
            lines.append("  \(positionText)  \(String(id).leftPadded(to: idWidth))  \(visible(token))")
        }
        return lines.joined(separator: "\n") + "\n\n"
    }

    /// The text in double quotes, with control, format and separator characters written as escapes.
    static func visible(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .unassigned, .surrogate:
                result += "\\u{\(String(scalar.value, radix: 16))}"
            default:
                result += scalar == "\"" ? "\\\"" : scalar == "\\" ? "\\\\" : String(scalar)
            }
        }
        return result + "\""
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

/// Collects output and writes it to standard output in large chunks.
private struct BufferedOutput {
    private var buffer: [UInt8] = []

    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
