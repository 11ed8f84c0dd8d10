import XSNSStorage
/// A JSON document with keys in the order given (the CLI contract fixes key names and readers diff
/// outputs), rendered compactly on one line.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case number(Double)
    case integer(Int)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.rendered == rhs.rendered }

    public static func optional(_ value: Double?) -> JSONValue { value.map { .number($0) } ?? .null }

    public var rendered: String {
        var text = ""
        render(into: &text)
        return text
    }

    private func render(into text: inout String) {
        switch self {
        case .null: text += "null"
        case .number(let value): text += value.isFinite ? NumberText.exact(value) : "null"
        case .integer(let value): text += String(value)
        case .string(let value): text += JSONString.quoted(value)
        case .array(let items):
            text += "["
            for (index, item) in items.enumerated() {
                if index > 0 { text += "," }
                item.render(into: &text)
            }
            text += "]"
        case .object(let fields):
            text += "{"
            for (index, (key, value)) in fields.enumerated() {
                if index > 0 { text += "," }
                text += JSONString.quoted(key) + ":"
                value.render(into: &text)
            }
            text += "}"
        }
    }

}
