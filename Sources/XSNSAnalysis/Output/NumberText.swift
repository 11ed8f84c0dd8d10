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
