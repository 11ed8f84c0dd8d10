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

    public var description: String {
        if let file { return "\(file): \(message)" }
        return message
    }
}

/// A failure at run time that is not the input's fault (I/O, out of memory…): exit status 1.
public struct RuntimeFailure: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
