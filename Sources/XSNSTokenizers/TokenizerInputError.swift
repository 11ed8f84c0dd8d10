import Foundation

/// A tokenizer.json that cannot be used: unreadable, malformed, or naming a component this module does
/// not implement. Mirrors `XSNSStorage.InputError` (this module depends on Foundation only), so callers
/// convert it with `InputError(file: error.file, error.message)` and the CLI exits with status 2.
public struct TokenizerInputError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String?
    public var message: String

    public init(file: String? = nil, _ message: String) {
        self.file = file
        self.message = message
    }

    public var description: String {
        if let file { return "\(file): \(message)" }
        return message
    }
}
