/// The views, in tab order; the digit keys 1–6 select them.
public enum ViewKind: Int, CaseIterable, Sendable {
    case languages = 1, heatmap, ranking, layers, heads, probe

    public var title: String {
        switch self {
        case .languages: return "Languages"
        case .heatmap: return "Heatmap"
        case .ranking: return "Ranking"
        case .layers: return "Layers"
        case .heads: return "Heads"
        case .probe: return "Probe"
        }
    }
}

/// Order of the languages on the heatmap axes.
public enum LanguageOrder: String, Sendable {
    case alphabetical, clustered
}

/// Whether the engine is computing; decides whether quitting asks first.
public enum ComputeStatus: String, Sendable {
    case idle, running, paused, finished
}

/// What the bottom input line is doing.
public enum InputMode: Sendable, Equatable {
    case normal
    /// Typing a `:` command; the text after the colon.
    case command(String)
    /// Typing a `/` language filter.
    case filter
    /// "Quit while computing?" waiting for y/n.
    case confirmQuit
}

/// The whole workbench state: pure value, changed only by `reduce`.
public struct WorkbenchState: Sendable, Equatable {
    public var sessionName: String
    public var modelName: String
    /// The built-in demo checkpoint is a toy trained on the demo sentences only: the views say so.
    public var isDemoModel: Bool
    /// Set when the data itself is made up (the `xsns tui` preview), shown in the banner.
    public var isSyntheticData: Bool

    public var data: WorkbenchData
    public var view: ViewKind
    public var p: Double
    public var metric: Metric
    public var order: LanguageOrder
    public var compute: ComputeStatus
    /// The focused language: heatmap row, ranking target, layers/heads language.
    public var selectedLanguage: String?
    /// The second language of the focused pair: heatmap column, layers partner.
    public var partnerLanguage: String?
    /// Case-insensitive substring filter on language code and name.
    public var filter: String
    public var input: InputMode
    public var showHelp: Bool
    /// Last message for the user and whether it is an error.
    public var message: String?
    public var messageIsError: Bool
    /// The last `working` progress line: the message is cleared with new data only while it is this line.
    public var workingLine: String?
    /// The probe's step count the Probe view shows (nil: the largest).
    public var probeSteps: Int?

    public init(
        sessionName: String, modelName: String, isDemoModel: Bool = false, isSyntheticData: Bool = false,
        data: WorkbenchData = WorkbenchData(), view: ViewKind = .languages, p: Double = 0.15,
        metric: Metric = .jaccard, order: LanguageOrder = .alphabetical, compute: ComputeStatus = .idle
    ) {
        self.sessionName = sessionName
        self.modelName = modelName
        self.isDemoModel = isDemoModel
        self.isSyntheticData = isSyntheticData
        self.data = data
        self.view = view
        self.p = p
        self.metric = metric
        self.order = order
        self.compute = compute
        selectedLanguage = nil
        partnerLanguage = nil
        filter = ""
        input = .normal
        showHelp = false
        message = nil
        messageIsError = false
        workingLine = nil
        probeSteps = nil
        selectedLanguage = visibleLanguages.first
        partnerLanguage = visibleLanguages.dropFirst().first ?? selectedLanguage
    }

    /// The probe table the Probe view shows: the chosen step count, else the largest.
    public var probeTable: ProbeData.Table? {
        guard let tables = data.probe?.tables else { return nil }
        return tables.first { $0.steps == probeSteps } ?? tables.last
    }

    /// The matrix of the current metric, if the shell has provided one.
    public var currentMatrix: SimilarityMatrix? { data.matrices[metric] }

    /// Whether the shown matrix still belongs to an older p (a recomputation is on its way).
    public var matrixIsStale: Bool {
        guard let matrix = currentMatrix, metric.dependsOnP else { return false }
        return abs(matrix.p - p) > 1e-9
    }

    /// Language codes after the filter, in the current order.
    public var visibleLanguages: [String] {
        let codes = data.languages.map(\.code)
        let ordered: [String]
        if order == .clustered, let matrix = currentMatrix, !matrix.languages.isEmpty {
            let clusterOrder = HierarchicalClustering.averageLinkageOrder(similarities: matrix.values)
                .compactMap { $0 < matrix.languages.count ? matrix.languages[$0] : nil }
            // Languages without matrix rows yet go last, alphabetically.
            ordered = clusterOrder.filter(codes.contains) + codes.filter { !clusterOrder.contains($0) }.sorted()
        } else {
            ordered = codes.sorted()
        }
        guard !filter.isEmpty else { return ordered }
        let needle = filter.lowercased()
        return ordered.filter { code in
            code.lowercased().contains(needle)
                || (data.language(code)?.name.lowercased().contains(needle) ?? false)
        }
    }
}
