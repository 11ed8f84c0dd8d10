/// A language × language (or any rows × columns) heatmap as a standalone SVG: labels on both axes, the value in each cell, and a
/// colour legend. The colour scale spans the off-diagonal values (self-similarity would flatten it);
/// diagonal and missing cells are grey.
public enum SVGHeatmap {
    /// Perceptually ordered stops (dark blue → teal → yellow), interpolated linearly in RGB.
    static let stops: [(Double, Double, Double)] = [
        (68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37),
    ]

    static func colour(_ t: Double) -> String {
        let clamped = max(0, min(1, t)) * Double(stops.count - 1)
        let index = min(Int(clamped), stops.count - 2)
        let f = clamped - Double(index)
        let (a, b) = (stops[index], stops[index + 1])
        let channels = [a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f]
        return "rgb(" + channels.map { String(Int($0.rounded())) }.joined(separator: ",") + ")"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    public static func render(_ matrix: SimilarityMatrix, title: String) -> String {
        render(rows: matrix.languages, columns: matrix.languages, values: matrix.values, title: title, greyDiagonal: true)
    }

    /// Any rows × columns table (the probe's transfer × target Δ); `greyDiagonal` greys the cells whose
    /// row and column are the same language and leaves them out of the colour scale.
    public static func render(rows: [String], columns: [String], values: [[Double?]], title: String,
                              greyDiagonal: Bool = false) -> String {
        let cell = 36
        let labelWidth = 12 + 8 * ((rows + columns).map(\.count).max() ?? 2)
        let top = 40 + labelWidth
        let left = labelWidth
        let legendX = left + columns.count * cell + 24
        // Wide enough for the title too (about 8 px per character at 14 px).
        let width = max(legendX + 90, left + 8 * title.count)
        let height = max(top + rows.count * cell + 20, top + 220)
        func shown(_ i: Int, _ j: Int) -> Double? { greyDiagonal && rows[i] == columns[j] ? nil : values[i][j] }
        let scaled = rows.indices.flatMap { i in columns.indices.compactMap { shown(i, $0) } }
        let low = scaled.min() ?? 0
        let high = scaled.max() ?? 1
        let span = high > low ? high - low : 1

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" font-family="Helvetica, Arial, sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="20" font-size="14">\(escape(title))</text>

            """
        for (index, language) in rows.enumerated() {
            let y = top + index * cell + cell / 2 + 4
            svg += "<text x=\"\(left - 6)\" y=\"\(y)\" text-anchor=\"end\">\(escape(language))</text>\n"
        }
        for (index, language) in columns.enumerated() {
            let x = left + index * cell + cell / 2 + 4
            svg += "<text x=\"\(x)\" y=\"\(top - 6)\" transform=\"rotate(-90 \(x) \(top - 6))\">\(escape(language))</text>\n"
        }
        for i in rows.indices {
            for j in columns.indices {
                let value = shown(i, j)
                let fill = value.map { colour(($0 - low) / span) } ?? "rgb(220,220,220)"
                let x = left + j * cell
                let y = top + i * cell
                svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"\(fill)\" stroke=\"white\"/>\n"
                if let value {
                    let textColour = (value - low) / span > 0.6 ? "black" : "white"
                    svg += "<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"middle\" font-size=\"9\" fill=\"\(textColour)\">\(NumberText.fixed(value, 2))</text>\n"
                }
            }
        }
        // Legend: a vertical bar from high (top) to low (bottom) with three labelled ticks.
        let barHeight = 160
        let steps = 32
        for step in 0..<steps {
            let t = 1 - Double(step) / Double(steps - 1)
            svg += "<rect x=\"\(legendX)\" y=\(quote(top + step * barHeight / steps)) width=\"16\" height=\"\(barHeight / steps + 1)\" fill=\"\(colour(t))\"/>\n"
        }
        for (fraction, value) in [(0.0, high), (0.5, (low + high) / 2), (1.0, low)] {
            let y = top + Int(fraction * Double(barHeight))
            svg += "<text x=\"\(legendX + 22)\" y=\"\(y + 4)\">\(NumberText.fixed(value, 3))</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    private static func quote(_ value: Int) -> String { "\"\(value)\"" }
}
