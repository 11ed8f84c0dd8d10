/// The transfer probe of the session (2403.20088) as the Probe view shows it: measured accuracy changes
/// per step count, and how well the current predictor ranks the transfer languages the probe measured.
public struct ProbeData: Sendable, Equatable {
    /// One step count's measurements.
    public struct Table: Sendable, Equatable {
        public var steps: Int
        public var transfer: [String]
        public var targets: [String]
        /// [transfer][target]: Δ accuracy in points, mean over the runs finished so far; nil before any.
        public var delta: [[Double?]]
        /// [transfer][target]: runs finished.
        public var runsDone: [[Int]]
        public var runsPlanned: Int
        /// The current predictor against the finished cells: mean NDCG@3 and Spearman over targets.
        public var ndcg: Double?
        public var spearman: Double?
        /// Targets the agreement could be computed for (at least two transfer languages measured).
        public var evaluatedTargets: Int

        public init(steps: Int, transfer: [String], targets: [String], delta: [[Double?]], runsDone: [[Int]],
                    runsPlanned: Int, ndcg: Double? = nil, spearman: Double? = nil, evaluatedTargets: Int = 0) {
            self.steps = steps
            self.transfer = transfer
            self.targets = targets
            self.delta = delta
            self.runsDone = runsDone
            self.runsPlanned = runsPlanned
            self.ndcg = ndcg
            self.spearman = spearman
            self.evaluatedTargets = evaluatedTargets
        }

        /// Fine-tuning runs finished: a run counts once it has tagged every target.
        public var finishedRuns: Int { runsDone.reduce(0) { $0 + ($1.min() ?? 0) } }
        public var plannedRuns: Int { transfer.count * runsPlanned }
    }

    /// Ascending step counts.
    public var tables: [Table]
    /// Target → accuracy (0…1) of the unchanged model with the task adapter.
    public var original: [String: Double]

    public init(tables: [Table], original: [String: Double]) {
        self.tables = tables
        self.original = original
    }
}
