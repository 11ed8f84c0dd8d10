import XSNSStorage
/// A piece of normalized text on its way to the model.
struct Segment: Sendable {
    var text: String
    /// How many leading scalars of `text` were produced from the input's first scalar. Hugging Face
    /// aligns every normalized character with the original it came from, and Metaspace's
    /// `prepend_scheme: first` asks whether a piece starts at original offset 0: here, whether `lead > 0`.
    var lead: Int

    var startsInput: Bool { lead > 0 }

    /// The part of this segment that starts `offset` scalars in, keeping what is left of its lead.
    func piece(_ scalars: some Collection<Unicode.Scalar>, at offset: Int) -> Segment {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        let remainingLead = lead - offset
        return Segment(text: String(view), lead: remainingLead <= 0 ? 0 : min(remainingLead, scalars.count))
    }

    /// The same for a slice of this segment's own text, without copying scalar by scalar.
    func piece(_ scalars: Substring.UnicodeScalarView, at offset: Int) -> Segment {
        let remainingLead = lead - offset
        let count = remainingLead <= 0 ? 0 : scalars.count
        return Segment(text: String(scalars), lead: remainingLead <= 0 ? 0 : min(remainingLead, count))
    }
}

/// One pre-tokenizer of a tokenizer.json `pre_tokenizer`: splits a segment into smaller segments.
protocol PreTokenizer: Sendable {
    func split(_ segment: Segment) -> [Segment]
}

/// Builds the pre-tokenizer described by a tokenizer.json object, keyed by its "type".
func makePreTokenizer(_ value: JSONValue, path: String) throws(InputError) -> any PreTokenizer {
    let fields = try JSONFields(value, path: path)
    let type = try fields.type()
    switch type {
    case "Sequence": return try SequencePreTokenizer(fields)
    case "Metaspace": return try MetaspacePreTokenizer(fields)
    case "BertPreTokenizer": return BertPreTokenizer()
    case "Whitespace": return WhitespacePreTokenizer()
    case "WhitespaceSplit": return WhitespaceSplitPreTokenizer()
    case "Punctuation": return try PunctuationPreTokenizer(fields)
    default: throw InputError("\(path): unsupported pre-tokenizer type \"\(type)\"")
    }
}

/// What happens to the delimiters when a segment is split, as Hugging Face's `SplitDelimiterBehavior`.
enum DelimiterBehavior: String, Sendable {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"
}

extension Segment {
    /// Splits at every scalar for which `isDelimiter` holds (each such scalar is one match), then applies
    /// `behavior` exactly as Hugging Face does — including its quirks with runs of delimiters, e.g.
    /// merged-with-previous turns "a.." into "a." and ".". Empty pieces are dropped.
    func split(_ behavior: DelimiterBehavior, where isDelimiter: (Unicode.Scalar) -> Bool) -> [Segment] {
        // Alternating runs of the text (each matching scalar on its own), as index ranges so that
        // merging adjacent runs only moves a bound; `offset` is the run's first scalar offset.
        let scalars = text.unicodeScalars
        typealias Run = (lower: String.Index, upper: String.Index, offset: Int, isMatch: Bool)
        var runs: [Run] = []
        var pendingStart = scalars.startIndex
        var pendingOffset = 0
        var index = scalars.startIndex
        var offset = 0
        while index < scalars.endIndex {
            let next = scalars.index(after: index)
            if isDelimiter(scalars[index]) {
                if pendingStart < index { runs.append((pendingStart, index, pendingOffset, false)) }
                runs.append((index, next, offset, true))
                pendingStart = next
                pendingOffset = offset + 1
            }
            index = next
            offset += 1
        }
        if pendingStart < scalars.endIndex { runs.append((pendingStart, scalars.endIndex, pendingOffset, false)) }

        var pieces: [Run] = []
        switch behavior {
        case .removed:
            pieces = runs.filter { !$0.isMatch }
        case .isolated:
            pieces = runs
        case .contiguous:
            var previousMatch = false
            for run in runs {
                if run.isMatch == previousMatch, !pieces.isEmpty {
                    pieces[pieces.count - 1].upper = run.upper
                } else {
                    pieces.append(run)
                }
                previousMatch = run.isMatch
            }
        case .mergedWithPrevious:
            var previousMatch = false
            for run in runs {
                if run.isMatch, !previousMatch, !pieces.isEmpty {
                    pieces[pieces.count - 1].upper = run.upper
                } else {
                    pieces.append(run)
                }
                previousMatch = run.isMatch
            }
        case .mergedWithNext:
            var previousMatch = false
            for run in runs.reversed() {
                if run.isMatch, !previousMatch, !pieces.isEmpty {
                    pieces[pieces.count - 1].lower = run.lower
                    pieces[pieces.count - 1].offset = run.offset
                } else {
                    pieces.append(run)
                }
                previousMatch = run.isMatch
            }
            pieces.reverse()
        }
        return pieces.map { piece(scalars[$0.lower..<$0.upper], at: $0.offset) }
    }
}
