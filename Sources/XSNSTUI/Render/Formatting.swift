/// "1:05:09", "4:07" or "0:13" for a duration in seconds.
func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "--:--" }
    guard seconds < 360_000 else { return ">99h" }
    let total = Int(seconds.rounded())
    let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
    let two = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
    return hours > 0 ? "\(hours):\(two(minutes)):\(two(secs))" : "\(minutes):\(two(secs))"
}

/// 12,345 style thousands grouping.
func formatCount(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var result = ""
    for (index, digit) in digits.enumerated() {
        if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
        result.append(digit)
    }
    return value < 0 ? "-" + result : result
}

/// A signed value with three decimals, or "—" when undefined.
func formatOptional(_ value: Double?, ascii: Bool) -> String {
    guard let value, value.isFinite else { return ascii ? "-" : "—" }
    return formatFixed(value, decimals: 3)
}
