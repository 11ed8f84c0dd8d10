/// Languages: corpus size, status and sub-network stability per language, and a live progress
/// bar per (language, seed) with sentences/s and ETA.
extension Renderer {
    mutating func drawLanguages(in content: Rect) {
        let outer = pane("languages", content)
        let title = "Languages (\(languages.count)) \(theme.separator) s start/resume  p pause  x cancel"
        let region = outer.box(title: title, theme: theme, focused: true, into: &grid)
        guard region.height > 0 else { return }
        guard !languages.isEmpty else {
            drawEmpty(region, state.data.languages.isEmpty
                ? ["No languages yet.", "Add one with :add LANG (a <lang>.txt in the corpora folder)."]
                : ["No language matches the filter /\(state.filter).", "Press / then Esc to clear it."])
            return
        }
        let columnWidth = max(4, codeWidth)
        let nameWidth = min(14, max(4, languages.map { DisplayWidth.of(displayName($0)) }.max() ?? 4))
        let header =
            "  " + DisplayWidth.pad("code", to: columnWidth) + "  " + DisplayWidth.pad("name", to: nameWidth)
            + "  " + DisplayWidth.pad("sentences", to: 9, alignRight: true) + "  "
            + DisplayWidth.pad("status", to: 8) + "  stability"
        region.write(header, x: 0, y: 0, style: theme.dim, into: &grid)

        // Flatten languages and their seed lines, then scroll so the selected language shows.
        var lines: [(code: String, seed: SeedProgress?)] = []
        for code in languages {
            lines.append((code, nil))
            for seed in state.data.language(code)?.seeds ?? [] { lines.append((code, seed)) }
        }
        let visible = region.height - 1
        let selectedLine = lines.firstIndex { $0.code == state.selectedLanguage && $0.seed == nil } ?? 0
        let offset = Self.scrollOffset(selected: selectedLine, count: lines.count, visible: visible)
        for (row, line) in lines.dropFirst(offset).prefix(visible).enumerated() {
            guard let language = state.data.language(line.code) else { continue }
            if let seed = line.seed {
                drawSeedLine(seed, region: region, y: row + 1)
            } else {
                drawLanguageLine(language, columnWidth: columnWidth, nameWidth: nameWidth, region: region, y: row + 1)
            }
        }
    }

    private mutating func drawLanguageLine(
        _ language: LanguageInfo, columnWidth: Int, nameWidth: Int, region: Region, y: Int) {
        let isSelected = language.code == state.selectedLanguage
        let marker = isSelected ? theme.pointer + " " : "  "
        let stability = language.stability.map { formatFixed($0, decimals: 3) } ?? (theme.ascii ? "-" : "—")
        var text =
            marker + DisplayWidth.pad(language.code, to: columnWidth) + "  "
            + DisplayWidth.pad(language.name, to: nameWidth) + "  "
            + DisplayWidth.pad(formatCount(language.corpusSentences), to: 9, alignRight: true) + "  "
            + DisplayWidth.pad(language.status.rawValue, to: 8) + "  " + stability
        if let failure = language.failure, language.status == .failed {
            text += "  " + failure
        } else if let elsewhere = language.elsewhere {
            text += "  " + elsewhere
        }
        let style: Style
        switch language.status {
        case .failed: style = theme.error
        case .done: style = theme.good
        default: style = .plain
        }
        region.write(text, x: 0, y: y, style: isSelected ? style.adding(.bold) : style, into: &grid)
    }

    private mutating func drawSeedLine(_ seed: SeedProgress, region: Region, y: Int) {
        let label = "    seed \(seed.seed) "
        let counts = " \(formatCount(seed.sentencesDone))/\(formatCount(seed.sentencesTotal))"
        let rate = seed.sentencesPerSecond > 0 ? "  \(formatFixed(seed.sentencesPerSecond, decimals: 1))/s" : ""
        let eta: String
        if seed.sentencesDone >= seed.sentencesTotal {
            eta = "  done"
        } else {
            eta = seed.etaSeconds.map { "  ETA \(formatDuration($0))" } ?? ""
        }
        let tail = counts + rate + eta
        let barWidth = max(4, min(40, region.width - DisplayWidth.of(label) - DisplayWidth.of(tail) - 2))
        let (filled, empty) = bar(seed.fraction, width: barWidth)
        var x = region.write(label, x: 0, y: y, style: theme.dim, into: &grid)
        x = region.write("[", x: x, y: y, style: theme.dim, into: &grid)
        x = region.write(filled, x: x, y: y, style: theme.bar, into: &grid)
        x = region.write(empty, x: x, y: y, style: theme.dim, into: &grid)
        x = region.write("]", x: x, y: y, style: theme.dim, into: &grid)
        region.write(tail, x: x, y: y, into: &grid)
    }
}
