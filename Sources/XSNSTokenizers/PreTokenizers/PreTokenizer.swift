/// A piece of normalized text on its way to the model.
struct Segment: Sendable, Equatable {
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
        return Segment(text: String(view), lead: min(max(0, lead - offset), scalars.count))
    }
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
        // Alternating runs: (start offset, scalars, isMatch), each matching scalar on its own.
        typealias Run = (start: Int, scalars: [Unicode.Scalar], isMatch: Bool)
        var runs: [Run] = []
        var pending: Run = (0, [], false)
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            if isDelimiter(scalar) {
                if !pending.scalars.isEmpty { runs.append(pending) }
                runs.append((offset, [scalar], true))
                pending = (offset + 1, [], false)
            } else {
                pending.scalars.append(scalar)
            }
        }
        if !pending.scalars.isEmpty { runs.append(pending) }

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
                    pieces[pieces.count - 1].scalars.append(contentsOf: run.scalars)
                } else {
                    pieces.append(run)
                }
                previousMatch = run.isMatch
            }
        case .mergedWithPrevious:
            var previousMatch = false
            for run in runs {
                if run.isMatch, !previousMatch, !pieces.isEmpty {
                    pieces[pieces.count - 1].scalars.append(contentsOf: run.scalars)
                } else {
                    pieces.append(run)
                }
                previousMatch = run.isMatch
            }
        case .mergedWithNext:
            var previousMatch = false
            for run in runs.reversed() {
                if run.isMatch, !previousMatch, !pieces.isEmpty {
                    pieces[pieces.count - 1].scalars.insert(contentsOf: run.scalars, at: 0)
                    pieces[pieces.count - 1].start = run.start
                } else {
                    pieces.append(run)
                }
                previousMatch = run.isMatch
            }
            pieces.reverse()
        }
        return pieces.filter { !$0.scalars.isEmpty }.map { piece($0.scalars, at: $0.start) }
    }
}
