import Foundation

/// Bad usage or bad input: the CLI prints `description` as one line on stderr and exits with status 2.
/// `file` names the offending file when there is one.
public struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String?
    public var message: String

    public init(file: String? = nil, _ message: String) {
        self.file = file
        self.message = message
    }

    /// One line, always: messages quote file content (tensor names, CSV cells), and a newline or an
    /// escape sequence from a hostile file must not break the one-line stderr contract.
    public var description: String {
        let line = file.map { "\($0): \(message)" } ?? message
        return escapingControlCharacters(line)
    }
}

/// Control characters (C0, DEL, C1) written as `\u{…}` escapes.
func escapingControlCharacters(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isControl) else { return text }
    var escaped = ""
    for scalar in text.unicodeScalars {
        if isControl(scalar) {
            escaped += "\\u{" + String(scalar.value, radix: 16) + "}"
        } else {
            escaped.unicodeScalars.append(scalar)
        }
    }
    return escaped
}

private func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
}

/// A failure at run time that is not the input's fault (I/O, out of memory…): exit status 1.
public struct RuntimeFailure: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { escapingControlCharacters(message) }
}
