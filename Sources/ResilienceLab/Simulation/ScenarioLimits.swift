/// The resource limits of a scenario and of a simulation run: every numeric field of the scenario
/// format has a range, chosen to be physically meaningful and generous, so that a file can neither
/// make the simulator run for days or allocate without bound nor describe a dependency or traffic that
/// cannot exist. Validation (``ScenarioDefinition/validate()``) rejects a value outside its range with
/// the field's key path; nothing is clamped.
///
/// | Field | Allowed | Why |
/// |---|---|---|
/// | `duration` | `(0s, 24h]` | a day of simulated time; a longer run is a different tool |
/// | `traffic.rates[i].ratePerSecond` | `0...1000000000` | 0 is a quiet period |
/// | `traffic.bursts[i].calls` | `1...100000000` | |
/// | `traffic.closedLoop.clients` | `1...1000000` | |
/// | expected calls of the whole scenario | `<= 100000000` | rates × their spans + bursts + closed-loop clients × duration / mean think time; about a minute of simulation |
/// | `traffic.priorities.*`, `traffic.operations.*` | finite `>= 0`, one `> 0` | relative weights |
/// | `dependency.workers` | `1...1000000` | |
/// | `dependency.maxQueue` | `0...10000000` | |
/// | `serviceTime`, `thinkTime`: `constant`, `empirical[i]` | `[0s, 1h]` | |
/// | `serviceTime`, `thinkTime`: `logNormal.median` | `(0s, 1h]` | |
/// | `serviceTime`, `thinkTime`: `logNormal.p99` | `> median`, `<= 1h` and `<= 1000 × median` | a wider spread has samples of years |
/// | `phases[i].fraction`, `phases[i].downFraction` | `[0, 1]` | |
/// | `phases[i].latencyMultiplier` | `[1, 1000]` | a 20 ms call becomes at most 20 s |
/// | `phases[i].period` (flapping) | `[1ms, 24h]` | shorter flaps are noise, not an outage |
/// | `phases[i].capacityPerSecond` | `[0.01, 1000000000]` | at least one call per 100 s |
/// | `phases[i].retryAfter` | `[0s, 1h]` | `Retry-After: 0` means "retry at once", as in HTTP |
/// | instants (`from`, `at`, `at + over`) | `[0s, duration)` | |
///
/// A run (``Simulator/run(_:policy:policyName:seed:intervalWidth:)``) measures at most
/// ``maxIntervals`` intervals: the interval is 1 s, or `duration / 1000` rounded up to whole seconds
/// for a scenario longer than 1,000 s, so the scenario's duration takes at most 1,000 intervals and
/// the last calls have at least as long again to end. A run whose calls have not all ended by then
/// is an error, and so is a run that makes no call.
public enum ScenarioLimits {
    /// The longest scenario: a day of simulated time.
    public static let maxDuration: Duration = .seconds(24 * 3_600)
    /// The longest service time or think time (a constant, an empirical value, a log-normal median or
    /// 99th percentile).
    public static let maxServiceTime: Duration = .seconds(3_600)
    /// The largest ratio of a log-normal's 99th percentile to its median.
    public static let maxLogNormalSpread = 1_000.0
    /// The largest brownout latency multiplier.
    public static let maxLatencyMultiplier = 1_000.0
    /// The shortest and longest flapping period.
    public static let minFlappingPeriod: Duration = .milliseconds(1)
    public static let maxFlappingPeriod: Duration = .seconds(24 * 3_600)
    /// The range of a rate limit's capacity, in calls per second.
    public static let minRateLimitCapacity = 0.01
    public static let maxRateLimitCapacity = 1e9
    /// The longest `Retry-After` hint.
    public static let maxRetryAfter: Duration = .seconds(3_600)
    /// The most calls a scenario may be expected to make.
    public static let maxExpectedCalls = 100_000_000.0
    /// The intervals a run measures at most (see the type's documentation).
    public static let maxIntervals = 2_000
    /// The intervals the scenario's duration takes at most with the default interval.
    public static let intervalsPerDuration = 1_000

    /// The default interval of a run of a scenario lasting `duration`: 1 s, or `duration / 1000`
    /// rounded up to whole seconds when that is longer.
    public static func intervalWidth(for duration: Duration) -> Duration {
        let seconds = duration.components.seconds + (duration.components.attoseconds > 0 ? 1 : 0)
        let perInterval = (seconds + Int64(intervalsPerDuration) - 1) / Int64(intervalsPerDuration)
        return .seconds(max(1, perInterval))
    }
}
