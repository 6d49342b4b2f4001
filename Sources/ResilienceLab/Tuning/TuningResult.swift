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
    /// The seeds of the final rung, on which ``bestMetrics`` and ``baselineMetrics`` are averaged; the
    /// first is ``seed``.
    public var evaluationSeeds: [UInt64]
    /// The policy the search started from and had to beat: ``SuitePolicy/defaultPipeline`` unless
    /// another was given.
    public var baseline: PolicyFile
    /// The best policy found: ``baseline`` itself when no candidate beat it on every evaluation seed.
    /// Write it with `PolicyConfiguration.jsonText()`.
    public var best: PolicyFile
    /// The best policy's metrics, averaged over ``evaluationSeeds``.
    public var bestMetrics: TuningMetrics
    /// The baseline's metrics, averaged over ``evaluationSeeds``.
    public var baselineMetrics: TuningMetrics
    /// Every candidate evaluated, by ``TuningCandidate/index`` (the baseline first).
    public var candidates: [TuningCandidate]

    /// Whether the search kept the baseline.
    public var bestIsBaseline: Bool { best == baseline }

    /// Creates a result (the tuner fills every field).
    public init(
        scenario: String, objective: TuningObjective, seed: UInt64, budget: Int, runs: Int, evaluationSeeds: [UInt64],
        baseline: PolicyFile, best: PolicyFile, bestMetrics: TuningMetrics, baselineMetrics: TuningMetrics,
        candidates: [TuningCandidate]
    ) {
        self.scenario = scenario
        self.objective = objective
        self.seed = seed
        self.budget = budget
        self.runs = runs
        self.evaluationSeeds = evaluationSeeds
        self.baseline = baseline
        self.best = best
        self.bestMetrics = bestMetrics
        self.baselineMetrics = baselineMetrics
        self.candidates = candidates
    }
}
