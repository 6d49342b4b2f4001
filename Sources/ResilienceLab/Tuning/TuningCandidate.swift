/// One policy ``Tuner`` evaluated, and how far it got.
public struct TuningCandidate: Sendable, Hashable {
    /// Its place in the draw: 0 is the default pipeline, 1… the random candidates in draw order.
    public var index: Int
    /// The policy (`retry`, `circuitBreaker` and `timeout` sections).
    public var policy: PolicyFile
    /// The last rung of the successive halving it was evaluated on (0 for a candidate dropped after
    /// the first rung).
    public var rung: Int
    /// Its metrics averaged over the seeds of that rung.
    public var metrics: TuningMetrics

    /// Whether this is the default pipeline (``SuitePolicy/defaultPipeline``).
    public var isDefault: Bool { index == 0 }

    /// Creates a candidate's record.
    public init(index: Int, policy: PolicyFile, rung: Int, metrics: TuningMetrics) {
        self.index = index
        self.policy = policy
        self.rung = rung
        self.metrics = metrics
    }
}
