extension WorkbenchState {
    /// Folds an engine report into the state.
    mutating func apply(_ event: EngineEvent) {
        switch event {
        case .started:
            // Languages become "running" when their progress arrives, not all at once.
            compute = .running
            setStatus(from: [.paused], to: .running)
        case .paused:
            compute = .paused
            setStatus(from: [.running], to: .paused)
        case .cancelled:
            compute = .idle
            setStatus(from: [.running, .paused], to: .pending)
            show("computation cancelled")
        case .progress(let code, let seed, let done, let total, let rate):
            guard let index = data.languages.firstIndex(where: { $0.code == code }) else { return }
            var language = data.languages[index]
            let progress = SeedProgress(seed: seed, sentencesDone: done, sentencesTotal: total, sentencesPerSecond: rate)
            if let slot = language.seeds.firstIndex(where: { $0.seed == seed }) {
                language.seeds[slot] = progress
            } else {
                language.seeds.append(progress)
            }
            if language.status != .done { language.status = .running }
            data.languages[index] = language
            if compute != .running { compute = .running }
        case .stability(let code, let value):
            update(code) { $0.stability = value }
        case .languageFinished(let code):
            update(code) {
                $0.status = .done
                for slot in $0.seeds.indices { $0.seeds[slot].sentencesDone = $0.seeds[slot].sentencesTotal }
            }
        case .failed(let code, let text):
            if let code {
                update(code) {
                    $0.status = .failed
                    $0.failure = text
                }
                show("\(code): \(text)", error: true)
            } else {
                compute = .idle
                setStatus(from: [.running, .paused], to: .pending)
                show(text, error: true)
            }
        case .finished:
            compute = .finished
            show("computation finished")
        case .dataUpdated(let fresh):
            // Progress arrives as separate events; keep it when the fresh copy has none yet.
            var merged = fresh
            for index in merged.languages.indices {
                if merged.languages[index].seeds.isEmpty, let old = data.language(merged.languages[index].code) {
                    merged.languages[index].seeds = old.seeds
                }
            }
            data = merged
            // A progress line is over once the data it announced is here (unless another message replaced it).
            if let line = workingLine, message == line { message = nil }
            workingLine = nil
        case .notice(let text):
            show(text)
        case .working(let text):
            show(text)
            workingLine = text
        }
    }

    private mutating func show(_ text: String, error: Bool = false) {
        message = text
        messageIsError = error
    }

    private mutating func update(_ code: String, _ change: (inout LanguageInfo) -> Void) {
        guard let index = data.languages.firstIndex(where: { $0.code == code }) else { return }
        change(&data.languages[index])
    }

    private mutating func setStatus(from old: Set<LanguageInfo.Status>, to new: LanguageInfo.Status) {
        for index in data.languages.indices where old.contains(data.languages[index].status) {
            data.languages[index].status = new
        }
    }
}
