/// A parsed `:` command line.
public enum CommandLineCommand: Equatable, Sendable {
    case none
    case setP(Double)
    case setMetric(Metric)
    case setOrder(LanguageOrder)
    case loadGold(path: String)
    case addLanguage(code: String)
    case export(directory: String)
    case save
    case quit(force: Bool)
    case help

    public struct Problem: Error, Equatable, Sendable {
        public let message: String
    }

    /// The commands and their arguments, for the help overlay.
    public static let synopsis: [(String, String)] = [
        (":p 0.1", "keep the top 10% of parameters"),
        (":metric cosine", "jaccard, cosine, lex or emb"),
        (":order cluster", "alpha or cluster (heatmap axes)"),
        (":gold FILE", "load gold transfer scores (CSV)"),
        (":add LANG", "add a language from the corpora"),
        (":export DIR", "write figures and tables"),
        (":save", "save the session now"),
        (":quit", "leave (:quit! without asking)"),
    ]

    /// Parses the text typed after `:`. Arguments that are paths keep their inner spaces.
    public static func parse(_ text: String) -> Result<CommandLineCommand, Problem> {
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty else { return .success(.none) }
        let name: String
        let argument: String
        if let space = trimmed.firstIndex(of: " ") {
            name = String(trimmed[..<space])
            argument = String(trimmed[space...]).trimmingSpaces
        } else if let equals = trimmed.firstIndex(of: "=") {
            name = String(trimmed[..<equals])
            argument = String(trimmed[trimmed.index(after: equals)...]).trimmingSpaces
        } else {
            name = trimmed
            argument = ""
        }
        func needs(_ what: String) -> Result<CommandLineCommand, Problem> {
            .failure(Problem(message: ":\(name) needs \(what)"))
        }
        switch name.lowercased() {
        case "p":
            guard !argument.isEmpty else { return needs("a value, e.g. :p 0.1") }
            guard let value = Double(argument), value.isFinite else {
                return .failure(Problem(message: "not a number: \(argument)"))
            }
            return .success(.setP(value))
        case "metric", "m":
            guard !argument.isEmpty else { return needs("jaccard, cosine, lex, emb, influence+ or influence-") }
            guard let metric = Metric(rawValue: argument.lowercased()) else {
                return .failure(Problem(message: "unknown metric \(argument): use jaccard, cosine, lex, emb, influence+ or influence-"))
            }
            return .success(.setMetric(metric))
        case "order":
            switch argument.lowercased() {
            case "alpha", "alphabetical": return .success(.setOrder(.alphabetical))
            case "cluster", "clustered": return .success(.setOrder(.clustered))
            default: return needs("alpha or cluster")
            }
        case "gold":
            return argument.isEmpty ? needs("a CSV file") : .success(.loadGold(path: argument))
        case "add":
            return argument.isEmpty ? needs("a language code") : .success(.addLanguage(code: argument))
        case "export":
            return argument.isEmpty ? needs("a directory") : .success(.export(directory: argument))
        case "save", "w": return .success(.save)
        case "quit", "q": return .success(.quit(force: false))
        case "quit!", "q!": return .success(.quit(force: true))
        case "help", "h": return .success(.help)
        default:
            return .failure(Problem(message: "unknown command :\(name) (press ? for help)"))
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return String(text)
    }
}
