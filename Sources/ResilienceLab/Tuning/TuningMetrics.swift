/// What ``Tuner`` compares: a policy's results on a scenario, averaged over one or more seeds.
public struct TuningMetrics: Sendable, Hashable {
    /// The number of seeds (simulation runs) averaged.
    public var seeds: Int
    /// Mean goodput: calls that succeeded / calls made (``SimulationResult/goodput``).
    public var goodput: Double
    /// Mean amplification: attempts the dependency received per call (``SimulationResult/amplification``).
    public var amplification: Double
    /// Mean p99 latency of all calls, whatever their end (``SimulationResult/latency``).
    public var p99: Duration
    /// Mean time to detect the first outage, over the seeds that measured one (nil when none did; see
    /// ``SimulationResult/timeToDetect``).
    public var timeToDetect: Duration?
    /// Mean time to recover from the first outage, over the seeds that measured one (nil when none
    /// did; see ``SimulationResult/timeToRecover``).
    public var timeToRecover: Duration?

    /// Explicit metrics (for tests and reports).
    public init(
        seeds: Int, goodput: Double, amplification: Double, p99: Duration, timeToDetect: Duration?,
        timeToRecover: Duration?
    ) {
        self.seeds = seeds
        self.goodput = goodput
        self.amplification = amplification
        self.p99 = p99
        self.timeToDetect = timeToDetect
        self.timeToRecover = timeToRecover
    }

    /// The metrics of one run.
    public init(_ result: SimulationResult) {
        self.init(
            seeds: 1, goodput: result.goodput, amplification: result.amplification, p99: result.latency.p99,
            timeToDetect: result.timeToDetect, timeToRecover: result.timeToRecover)
    }

    /// The mean of `runs` (one per seed, in seed order; not empty). Sums are taken in that order, so
    /// the mean is the same on every machine.
    init(mean runs: ArraySlice<TuningMetrics>) {
        precondition(!runs.isEmpty, "no runs to average")
        var goodput = 0.0
        var amplification = 0.0
        var p99 = Duration.zero
        var detect: [Duration] = []
        var recover: [Duration] = []
        for run in runs {
            goodput += run.goodput
            amplification += run.amplification
            p99 += run.p99
            if let value = run.timeToDetect { detect.append(value) }
            if let value = run.timeToRecover { recover.append(value) }
        }
        let count = Double(runs.count)
        self.init(
            seeds: runs.count, goodput: goodput / count, amplification: amplification / count, p99: p99 / runs.count,
            timeToDetect: Self.mean(detect), timeToRecover: Self.mean(recover))
    }

    private static func mean(_ values: [Duration]) -> Duration? {
        values.isEmpty ? nil : values.reduce(.zero, +) / values.count
    }
}
