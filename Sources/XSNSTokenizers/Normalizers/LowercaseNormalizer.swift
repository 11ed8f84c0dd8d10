/// `Lowercase`: each scalar replaced by its full lowercase mapping, one scalar at a time.
///
/// Hugging Face lowercases character by character (Rust's `char::to_lowercase`), so there is no
/// final-sigma rule: "Σ" always becomes "σ". `String.lowercased()` would be context sensitive.
struct LowercaseNormalizer: Normalizer {
    func normalize(_ text: String) -> String {
        lowercaseScalars(text)
    }
}

func lowercaseScalars(_ text: String) -> String {
    var output = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        if scalar.isASCII {
            output.append(scalar.properties.isUppercase ? Unicode.Scalar(scalar.value + 32)! : scalar)
        } else {
            output.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
        }
    }
    return String(output)
}
