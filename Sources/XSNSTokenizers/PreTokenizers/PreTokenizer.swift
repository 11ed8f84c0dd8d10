/// A piece of normalized text on its way to the model.
struct Segment: Sendable, Equatable {
    var text: String
    /// True when the piece begins the input text (Metaspace's `prepend_scheme: first` asks this).
    var startsInput: Bool
}

/// One pre-tokenizer of a tokenizer.json `pre_tokenizer`: splits a segment into smaller segments.
protocol PreTokenizer: Sendable {
    func split(_ segment: Segment) -> [Segment]
}

/// Builds the pre-tokenizer described by a tokenizer.json object, keyed by its "type".
func makePreTokenizer(_ value: JSONValue, path: String) throws(TokenizerInputError) -> any PreTokenizer {
    let fields = try JSONFields(value, path: path)
    let type = try fields.type()
    switch type {
    case "Sequence": return try SequencePreTokenizer(fields)
    case "Metaspace": return try MetaspacePreTokenizer(fields)
    case "BertPreTokenizer": return BertPreTokenizer()
    case "Whitespace": return WhitespacePreTokenizer()
    case "WhitespaceSplit": return WhitespaceSplitPreTokenizer()
    case "Punctuation": return try PunctuationPreTokenizer(fields)
    default: throw TokenizerInputError("\(path): unsupported pre-tokenizer type \"\(type)\"")
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
        // Alternating runs: (scalars, isMatch), each matching scalar on its own.
        var runs: [(scalars: [Unicode.Scalar], isMatch: Bool)] = []
        var pending: [Unicode.Scalar] = []
        for scalar in text.unicodeScalars {
            if isDelimiter(scalar) {
                if !pending.isEmpty { runs.append((pending, false)); pending = [] }
                runs.append(([scalar], true))
            } else {
                pending.append(scalar)
            }
        }
        if !pending.isEmpty { runs.append((pending, false)) }
        // Only a piece that keeps the segment's first scalar still starts the input.
        let firstPieceKeepsStart = !(behavior == .removed && runs.first?.isMatch == true)

        var pieces: [[Unicode.Scalar]] = []
        switch behavior {
        case .removed:
            pieces = runs.filter { !$0.isMatch }.map(\.scalars)
        case .isolated:
            pieces = runs.map(\.scalars)
        case .contiguous:
            var previousMatch = false
            for run in runs {
                if run.isMatch == previousMatch, !pieces.isEmpty {
                    pieces[pieces.count - 1].append(contentsOf: run.scalars)
                } else {
                    pieces.append(run.scalars)
                }
                previousMatch = run.isMatch
            }
        case .mergedWithPrevious:
            var previousMatch = false
            for run in runs {
                if run.isMatch, !previousMatch, !pieces.isEmpty {
                    pieces[pieces.count - 1].append(contentsOf: run.scalars)
                } else {
                    pieces.append(run.scalars)
                }
                previousMatch = run.isMatch
            }
        case .mergedWithNext:
            var previousMatch = false
            for run in runs.reversed() {
                if run.isMatch, !previousMatch, !pieces.isEmpty {
                    pieces[pieces.count - 1].insert(contentsOf: run.scalars, at: 0)
                } else {
                    pieces.append(run.scalars)
                }
                previousMatch = run.isMatch
            }
            pieces.reverse()
        }
        var segments: [Segment] = []
        for piece in pieces where !piece.isEmpty {
            var scalars = String.UnicodeScalarView()
            scalars.append(contentsOf: piece)
            let first = startsInput && segments.isEmpty && firstPieceKeepsStart
            segments.append(Segment(text: String(scalars), startsInput: first))
        }
        return segments
    }
}
