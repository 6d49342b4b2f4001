import Resilience
import ResilienceConfiguration

/// What one simulation measured: one scenario under one policy, with one seed.
///
/// **Every call ends exactly one way** (conservation, checked by the tests):
/// `calls == succeeded + failed + endedByPolicy.values.sum()`.
/// - ``succeeded``: the call's last attempt succeeded.
/// - ``failed``: the call's last attempt got an error answer from the dependency (a failure after its
///   service time, or 503 overloaded, 429 rate limited or connection refused at once).
/// - ``endedByPolicy``: a policy ended the call, by policy name: `timeout` (its last attempt timed out),
///   `circuitBreaker` (`circuitOpen` or `halfOpenFull`), `loadShedder`, `rateLimiter`,
///   `concurrencyLimit` or `bulkhead` (their rejections).
///
/// Latencies are what the client waited for: from the call's arrival to its end, retries and their
/// delays included.
public struct SimulationResult: Sendable, Hashable {
    /// Latency percentiles of a set of calls (all zero when there were none).
    public struct Latencies: Sendable, Hashable {
        public var count: Int
        public var p50: Duration
        public var p90: Duration
        public var p99: Duration
        public var p999: Duration
        public var max: Duration
        public var mean: Duration

        /// The percentiles of `recorder`.
        public init(_ recorder: LatencyRecorder) {
            count = recorder.count
            p50 = recorder.p50
            p90 = recorder.p90
            p99 = recorder.p99
            p999 = recorder.p999
            max = recorder.max
            mean = recorder.mean
        }

        /// Explicit percentiles (for tests and hand-built results).
        public init(count: Int, p50: Duration, p90: Duration, p99: Duration, p999: Duration, max: Duration, mean: Duration) {
            self.count = count
            self.p50 = p50
            self.p90 = p90
            self.p99 = p99
            self.p999 = p999
            self.max = max
            self.mean = mean
        }
    }

    /// A circuit breaker state change, and when it happened.
    public struct BreakerChange: Sendable, Hashable {
        /// When, from the start of the simulation.
        public var at: Duration
        public var from: CircuitState
        public var to: CircuitState

        public init(at: Duration, from: CircuitState, to: CircuitState) {
            self.at = at
            self.from = from
            self.to = to
        }
    }

    /// What happened during one interval `[start, start + width)` of the run: the data of the charts.
    /// Calls are counted in the interval in which they *ended*.
    public struct Interval: Sendable, Hashable {
        /// When the interval starts.
        public var start: Duration
        /// Calls clients made (arrivals) in the interval.
        public var calls: Int
        /// Calls that ended in the interval, and how.
        public var succeeded: Int
        public var failed: Int
        public var endedByPolicy: Int
        /// Calls (attempts) that reached the dependency in the interval.
        public var dependencyReceived: Int
        /// Latency of the calls that ended in the interval: median and 99th percentile, exact to the
        /// microsecond by nearest rank (zero when no call ended).
        public var p50: Duration
        public var p99: Duration
        /// The breaker's state at the end of the interval (nil without a breaker).
        public var breakerState: CircuitState?
        /// Busy workers plus queued calls at the dependency at the end of the interval.
        public var dependencyInFlight: Int

        public init(
            start: Duration, calls: Int = 0, succeeded: Int = 0, failed: Int = 0, endedByPolicy: Int = 0,
            dependencyReceived: Int = 0, p50: Duration = .zero, p99: Duration = .zero, breakerState: CircuitState? = nil,
            dependencyInFlight: Int = 0
        ) {
            self.start = start
            self.calls = calls
            self.succeeded = succeeded
            self.failed = failed
            self.endedByPolicy = endedByPolicy
            self.dependencyReceived = dependencyReceived
            self.p50 = p50
            self.p99 = p99
            self.breakerState = breakerState
            self.dependencyInFlight = dependencyInFlight
        }
    }

    /// The scenario's name.
    public var scenario: String
    /// The policy's name (`none`, `naive-retry`, `default`, `tuned`, or a file's name).
    public var policy: String
    /// The seed of the run.
    public var seed: UInt64
    /// How long traffic arrived.
    public var duration: Duration
    /// When the last call ended (at or after ``duration``: calls in flight at the end run to their end).
    public var endedAt: Duration

    /// Calls clients made.
    public var calls: Int
    public var succeeded: Int
    public var failed: Int
    /// Calls a policy ended, by policy name (see the type's documentation).
    public var endedByPolicy: [String: Int]

    /// Attempts that reached the dependency (what it received; see ``dependency``).
    public var attempts: Int
    /// Retries the retry policy started.
    public var retries: Int
    /// Retries the retry budget denied.
    public var retriesDeniedByBudget: Int

    /// Latency of every call (whatever its end) and of the calls that succeeded.
    public var latency: Latencies
    public var successLatency: Latencies

    /// What the dependency did.
    public var dependency: DependencyCounters

    /// The first outage of the scenario: when the dependency first went down, and when it came back
    /// (nil when the scenario has no `down` or `flapping` phase).
    public var outageStart: Duration?
    public var outageEnd: Duration?
    /// From ``outageStart`` to the first call a policy rejected at once (a fast rejection: anything but
    /// a timeout) at or after it; nil without an outage or when no policy ever rejected.
    public var timeToDetect: Duration?
    /// From ``outageEnd`` to the first call that succeeded at or after it; nil without an outage or
    /// when no call succeeded after it.
    public var timeToRecover: Duration?

    /// Every breaker state change, in order (empty without a breaker).
    public var breakerChanges: [BreakerChange]
    /// The width of each ``intervals`` entry: by default 1 s, or `duration / 1000` rounded up to whole
    /// seconds for a scenario longer than 1,000 s (``ScenarioLimits/intervalWidth(for:)``).
    public var intervalWidth: Duration
    /// The run, interval by interval, from 0 to ``endedAt``: at most ``ScenarioLimits/maxIntervals``
    /// (2,000) entries for a run with the default width.
    public var intervals: [Interval]

    /// Calls that succeeded, as a fraction of the calls made (1 when no call was made).
    public var goodput: Double { calls == 0 ? 1 : Double(succeeded) / Double(calls) }
    /// Calls the dependency received per call clients made (1 means no extra load; 0 when no call
    /// was made).
    public var amplification: Double { calls == 0 ? 0 : Double(dependency.received) / Double(calls) }
    /// Calls a policy ended, over all policies.
    public var endedByPolicyTotal: Int { endedByPolicy.values.reduce(0, +) }

    /// Creates a result (the simulator fills every field; tests and the report build their own).
    public init(
        scenario: String, policy: String, seed: UInt64, duration: Duration, endedAt: Duration, calls: Int,
        succeeded: Int, failed: Int, endedByPolicy: [String: Int], attempts: Int, retries: Int,
        retriesDeniedByBudget: Int, latency: Latencies, successLatency: Latencies, dependency: DependencyCounters,
        outageStart: Duration?, outageEnd: Duration?, timeToDetect: Duration?, timeToRecover: Duration?,
        breakerChanges: [BreakerChange], intervalWidth: Duration, intervals: [Interval]
    ) {
        self.scenario = scenario
        self.policy = policy
        self.seed = seed
        self.duration = duration
        self.endedAt = endedAt
        self.calls = calls
        self.succeeded = succeeded
        self.failed = failed
        self.endedByPolicy = endedByPolicy
        self.attempts = attempts
        self.retries = retries
        self.retriesDeniedByBudget = retriesDeniedByBudget
        self.latency = latency
        self.successLatency = successLatency
        self.dependency = dependency
        self.outageStart = outageStart
        self.outageEnd = outageEnd
        self.timeToDetect = timeToDetect
        self.timeToRecover = timeToRecover
        self.breakerChanges = breakerChanges
        self.intervalWidth = intervalWidth
        self.intervals = intervals
    }
}
