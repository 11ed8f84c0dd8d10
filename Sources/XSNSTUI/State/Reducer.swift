/// The workbench's only state transition: keys and engine events in, new state and the
/// commands for the app shell out. Pure: no I/O, no clock, no randomness.
public func reduce(_ state: WorkbenchState, _ action: Action) -> (WorkbenchState, [Command]) {
    var next = state
    let commands: [Command]
    switch action {
    case .key(let key):
        commands = next.handle(key)
    case .engine(let event):
        next.apply(event)
        commands = []
    }
    next.keepSelectionVisible()
    return (next, commands)
}

/// Bounds and step for p, the kept fraction of parameters: strictly inside (0, 1).
public enum PRange {
    public static let minimum = 0.001
    public static let maximum = 0.999
    public static let step = 0.01

    public static func clamp(_ p: Double) -> Double { min(maximum, max(minimum, p)) }

    /// Rounds to 1/1000 so repeated steps do not drift (0.15 + 0.01 stays 0.16).
    static func rounded(_ p: Double) -> Double { (p * 1000).rounded() / 1000 }
}

extension WorkbenchState {
    mutating func handle(_ key: Key) -> [Command] {
        switch input {
        case .confirmQuit: return handleQuitConfirmation(key)
        case .command(let text): return handleCommandLine(key, text: text)
        case .filter: return handleFilter(key)
        case .normal: break
        }
        if showHelp {
            // Any key closes the overlay; it is consumed so a stray key does nothing else.
            showHelp = false
            return []
        }
        message = nil
        messageIsError = false
        switch key {
        case .tab: view = ViewKind(rawValue: view.rawValue % ViewKind.allCases.count + 1) ?? .languages
        case .backTab:
            let count = ViewKind.allCases.count
            view = ViewKind(rawValue: (view.rawValue + count - 2) % count + 1) ?? .languages
        case .up, .character("k"): moveSelection(by: -1)
        case .down, .character("j"): moveSelection(by: 1)
        case .pageUp: moveSelection(by: -10)
        case .pageDown: moveSelection(by: 10)
        case .home: moveSelection(by: -Int(Int32.max))
        case .end: moveSelection(by: Int(Int32.max))
        case .left, .character("h"): movePartner(by: -1)
        case .right, .character("l"): movePartner(by: 1)
        case .control("l"): return [.redraw]
        case .character(let character): return handleCharacter(character)
        default: break
        }
        return []
    }

    private mutating func handleCharacter(_ character: Character) -> [Command] {
        if let digit = character.wholeNumberValue, let chosen = ViewKind(rawValue: digit) {
            view = chosen
            return []
        }
        switch character {
        case "?": showHelp = true
        case ":": input = .command("")
        case "/": input = .filter
        case "q": return requestQuit(force: false)
        case "+", "=": return setP(PRange.rounded(p + PRange.step))
        case "-", "_": return setP(PRange.rounded(p - PRange.step))
        case "m":
            metric = metric.next(available: Set(data.matrices.keys))
            return [.setMetric(metric)]
        case "o": order = order == .alphabetical ? .clustered : .alphabetical
        case "n":
            // The next step count of the probe, wrapping around.
            if let tables = data.probe?.tables, let current = probeTable,
               let index = tables.firstIndex(where: { $0.steps == current.steps }) {
                probeSteps = tables[(index + 1) % tables.count].steps
            }
        case "s":
            if compute != .running { return [.startCompute] }
        case "p":
            if compute == .running { return [.pauseCompute] }
        case "x":
            if compute == .running || compute == .paused { return [.cancelCompute] }
        default: break
        }
        return []
    }

    /// Sets p (clamped into the open interval) and asks for new data when it changed.
    mutating func setP(_ requested: Double) -> [Command] {
        let clamped = PRange.clamp(requested)
        if clamped != requested {
            message = "p must lie strictly between 0 and 1: using \(formatP(clamped))"
            messageIsError = true
        }
        guard clamped != p else { return [] }
        p = clamped
        return [.setP(clamped)]
    }

    private mutating func requestQuit(force: Bool) -> [Command] {
        if compute == .running && !force {
            input = .confirmQuit
            return []
        }
        return compute == .running || compute == .paused ? [.cancelCompute, .save, .quit] : [.save, .quit]
    }

    private mutating func handleQuitConfirmation(_ key: Key) -> [Command] {
        input = .normal
        if key == .character("y") || key == .character("Y") {
            return requestQuit(force: true)
        }
        message = "quit cancelled; the computation goes on"
        messageIsError = false
        return []
    }

    private mutating func handleCommandLine(_ key: Key, text: String) -> [Command] {
        switch key {
        case .escape:
            input = .normal
        case .backspace:
            input = text.isEmpty ? .normal : .command(String(text.dropLast()))
        case .enter:
            input = .normal
            return execute(commandLine: text)
        case .character(let character):
            input = .command(text + String(character))
        default: break
        }
        return []
    }

    private mutating func handleFilter(_ key: Key) -> [Command] {
        switch key {
        case .escape:
            filter = ""
            input = .normal
        case .enter:
            input = .normal
        case .backspace:
            if filter.isEmpty { input = .normal } else { filter.removeLast() }
        case .character(let character):
            filter.append(character)
        case .up, .down, .pageUp, .pageDown:
            input = .normal
            return handle(key)
        default: break
        }
        return []
    }

    /// Runs a `:` command line (see `CommandLineCommand`).
    mutating func execute(commandLine text: String) -> [Command] {
        switch CommandLineCommand.parse(text) {
        case .failure(let problem):
            message = problem.message
            messageIsError = true
            return []
        case .success(let command):
            message = nil
            messageIsError = false
            switch command {
            case .none: return []
            case .setP(let value): return setP(value)
            case .setMetric(let chosen):
                metric = chosen
                return [.setMetric(chosen)]
            case .setOrder(let chosen):
                order = chosen
                return []
            case .loadGold(let path): return [.loadGold(path: path)]
            case .addLanguage(let code): return [.addLanguage(code: code)]
            case .export(let directory): return [.export(directory: directory)]
            case .save: return [.save]
            case .quit(let force): return requestQuit(force: force)
            case .help:
                showHelp = true
                return []
            }
        }
    }

    // MARK: Selection

    private mutating func moveSelection(by delta: Int) {
        let languages = visibleLanguages
        guard !languages.isEmpty else { return }
        let current = selectedLanguage.flatMap { languages.firstIndex(of: $0) } ?? 0
        selectedLanguage = languages[clampedIndex(current, delta, count: languages.count)]
    }

    private mutating func movePartner(by delta: Int) {
        let languages = visibleLanguages
        guard !languages.isEmpty else { return }
        let current = partnerLanguage.flatMap { languages.firstIndex(of: $0) } ?? 0
        partnerLanguage = languages[clampedIndex(current, delta, count: languages.count)]
    }

    private func clampedIndex(_ index: Int, _ delta: Int, count: Int) -> Int {
        let (sum, overflow) = index.addingReportingOverflow(delta)
        let target = overflow ? (delta > 0 ? count - 1 : 0) : sum
        return min(count - 1, max(0, target))
    }

    /// After a filter, reorder or new data, the selections must name visible languages.
    mutating func keepSelectionVisible() {
        let languages = visibleLanguages
        if selectedLanguage.map(languages.contains) != true {
            selectedLanguage = languages.first
        }
        if partnerLanguage.map(languages.contains) != true {
            partnerLanguage = languages.first { $0 != selectedLanguage } ?? languages.first
        }
    }
}

/// p as the views print it: up to three decimals, no trailing zeros beyond two.
public func formatP(_ p: Double) -> String {
    let thousandths = Int((p * 1000).rounded())
    if thousandths % 10 == 0 { return formatFixed(p, decimals: 2) }
    return formatFixed(p, decimals: 3)
}

/// Fixed-point formatting without Foundation (keeps the module free of locale effects).
public func formatFixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "n/a" : (value > 0 ? "inf" : "-inf") }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 9e15 else { return value > 0 ? "huge" : "-huge" }
    let integer = Int(scaled)
    var digits = String(integer)
    if decimals > 0 {
        if digits.count <= decimals { digits = String(repeating: "0", count: decimals - digits.count + 1) + digits }
        digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
    }
    return (value < 0 && integer != 0 ? "-" : "") + digits
}
