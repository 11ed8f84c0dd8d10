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
        case .string(let value): text += Self.quoted(value)
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
                text += Self.quoted(key) + ":"
                value.render(into: &text)
            }
            text += "}"
        }
    }

    static func quoted(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// Numbers as text: exact (shortest round-trip) for machine formats, fixed decimals for people.
public enum NumberText {
    public static func exact(_ value: Double) -> String { "\(value)" }

    public static func fixed(_ value: Double?, _ decimals: Int = 4) -> String {
        guard let value, value.isFinite else { return "—" }
        let scale = pow10(decimals)
        let rounded = (value * scale).rounded() / scale
        let negative = rounded < 0
        let magnitude = abs(rounded)
        let whole = magnitude.rounded(.down)
        var fraction = String(Int(((magnitude - whole) * scale).rounded()))
        if decimals == 0 { return (negative ? "-" : "") + String(Int(whole)) }
        fraction = String(repeating: "0", count: max(0, decimals - fraction.count)) + fraction
        return (negative ? "-" : "") + String(Int(whole)) + "." + fraction
    }

    private static func pow10(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<exponent { result *= 10 }
        return result
    }
}

/// Plain text helpers shared by the table, CSV and Markdown renderers.
public enum TextTable {
    /// Columns padded to their widest cell; the first column left-aligned, the others right-aligned.
    public static func render(_ rows: [[String]]) -> String {
        guard let width = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: width)
        for row in rows { for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) } }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ").replacingTrailingSpaces()
        }.joined(separator: "\n") + "\n"
    }

    /// RFC 4180: quote a field only when it needs it.
    public static func csvField(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func csv(_ rows: [[String]]) -> String {
        rows.map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// A Markdown pipe table, first row as header.
    public static func markdown(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        let escape = { (cell: String) in cell.replacingOccurrences(of: "|", with: "\\|") }
        var lines = ["| " + header.map(escape).joined(separator: " | ") + " |"]
        lines.append("|" + header.enumerated().map { $0.offset == 0 ? "---|" : "---:|" }.joined())
        for row in rows.dropFirst() { lines.append("| " + row.map(escape).joined(separator: " | ") + " |") }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    fileprivate func replacingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
