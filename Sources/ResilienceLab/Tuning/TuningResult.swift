/// What ``Tuner/tune(_:objective:budget:seed:)`` found.
public struct TuningResult: Sendable, Hashable {
    /// The scenario's name.
    public var scenario: String
    /// What was optimised.
    public var objective: TuningObjective
    /// The seed of the search: the first evaluation seed, and the source of the candidates' draws.
    public var seed: UInt64
    /// The budget given: the most simulation runs allowed.
    public var budget: Int
    /// The simulation runs made (≤ ``budget``).
    public var runs: Int
    /// The seeds of the final rung, on which ``bestMetrics`` and ``defaultMetrics`` are averaged; the
    /// first is ``seed``.
    public var evaluationSeeds: [UInt64]
    /// The best policy found: ``SuitePolicy/defaultPipeline`` itself when no candidate beat it on every
    /// evaluation seed. Write it with ``PolicyFile/jsonText()``.
    public var best: PolicyFile
    /// The best policy's metrics, averaged over ``evaluationSeeds``.
    public var bestMetrics: TuningMetrics
    /// The default pipeline's metrics, averaged over ``evaluationSeeds``.
    public var defaultMetrics: TuningMetrics
    /// Every candidate evaluated, by ``TuningCandidate/index`` (the default first).
    public var candidates: [TuningCandidate]

    /// Whether the search kept the default pipeline.
    public var bestIsDefault: Bool { best == SuitePolicy.defaultPipeline }

    /// Creates a result (the tuner fills every field).
    public init(
        scenario: String, objective: TuningObjective, seed: UInt64, budget: Int, runs: Int, evaluationSeeds: [UInt64],
        best: PolicyFile, bestMetrics: TuningMetrics, defaultMetrics: TuningMetrics, candidates: [TuningCandidate]
    ) {
        self.scenario = scenario
        self.objective = objective
        self.seed = seed
        self.budget = budget
        self.runs = runs
        self.evaluationSeeds = evaluationSeeds
        self.best = best
        self.bestMetrics = bestMetrics
        self.defaultMetrics = defaultMetrics
        self.candidates = candidates
    }
}
