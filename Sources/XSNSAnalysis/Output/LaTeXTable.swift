/// booktabs tables ready to paste into a paper: first row is the header, first column left-aligned.
public enum LaTeXTable {
    public static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\textbackslash{}"
            case "&", "%", "$", "#", "_", "{", "}": out += "\\\(character)"
            case "~": out += "\\textasciitilde{}"
            case "^": out += "\\textasciicircum{}"
            default: out.append(character)
            }
        }
        return out
    }

    public static func render(_ rows: [[String]], caption: String, label: String) -> String {
        guard let header = rows.first else { return "" }
        let columns = "l" + String(repeating: "r", count: max(0, header.count - 1))
        var lines = [
            "\\begin{table}[t]", "\\centering", "\\small",
            "\\begin{tabular}{\(columns)}", "\\toprule",
            header.map(escape).joined(separator: " & ") + " \\\\", "\\midrule",
        ]
        for row in rows.dropFirst() { lines.append(row.map(escape).joined(separator: " & ") + " \\\\") }
        lines += [
            "\\bottomrule", "\\end{tabular}", "\\caption{\(escape(caption))}", "\\label{\(label)}", "\\end{table}",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
