import Resilience
import ResilienceConfiguration

/// The policies ``Tuner`` draws: a retry, a circuit breaker and a timeout, each parameter drawn
/// independently from its range below.
///
/// | section.key | range | distribution |
/// |---|---|---|
/// | `retry.maxAttempts` | 1…5 | uniform (1: no retry) |
/// | `retry.backoff` | constant, linear, exponential | uniform |
/// | `retry.baseDelay` | 1 ms…1 s | log-uniform |
/// | `retry.multiplier` | 1.5…3 (exponential only; else 2) | uniform, 1 decimal |
/// | `retry.maxDelay` | max(baseDelay, 100 ms)…30 s | log-uniform |
/// | `retry.jitter` | none, full, equal, decorrelated | uniform |
/// | `retry.budgetRatio` | 0…1 | uniform, 2 decimals |
/// | `retry.budgetMinPerSecond` | 1…100 | log-uniform, whole |
/// | `circuitBreaker.window` | time, count | uniform |
/// | `circuitBreaker.samplingDuration` | 1 s…60 s (time window; 10 buckets) | log-uniform |
/// | `circuitBreaker.windowSize` | 10…1000 (count window) | log-uniform, whole |
/// | `circuitBreaker.minimumThroughput` | 5…200 | log-uniform, whole |
/// | `circuitBreaker.failureRatio` | 0.1…0.9 | uniform, 2 decimals |
/// | `circuitBreaker.slowCallDuration` | off (half the draws), or 50 ms…10 s | log-uniform |
/// | `circuitBreaker.slowCallRatio` | 0.5…1 (with slow calls on; else 1) | uniform, 2 decimals |
/// | `circuitBreaker.breakDuration` | 1 s…60 s | log-uniform |
/// | `circuitBreaker.breakDurationMultiplier` | 1…2 | uniform, 1 decimal |
/// | `circuitBreaker.halfOpenPermittedCalls` | 1…20 | log-uniform, whole |
/// | `circuitBreaker.halfOpenSuccessRatio` | 0.5…1 | uniform, 2 decimals |
/// | `timeout.duration` | 50 ms…30 s | log-uniform |
///
/// Every other key keeps its documented default (`retry.budgetWindow` 10 s,
/// `circuitBreaker.windowBuckets` 10, `maxBreakDuration` 5 min, `halfOpenMaxDuration` 60 s), and so
/// does a key the drawn variant does not use (`windowSize` of a time window, `samplingDuration` of a
/// count window), so that the written policy shows only what matters. Drawn durations are rounded to
/// two significant digits of a millisecond (`"37ms"`, `"1.2s"`, `"27s"`), whole numbers to the
/// nearest integer; every draw passes the configurations' `validate()`.
///
/// The tuner applies each draw to its baseline (the default pipeline, or the policy it was given):
/// ``draw(onto:_:)`` replaces every tuned key of the baseline, and ``drawNear(_:_:)`` draws a neighbour
/// of it: the same draw, but each of its 12 groups of keys (``groups``, by key name) replaces the
/// baseline's with probability 1/4 (at least one group does). The baseline's other keys and sections
/// (a bulkhead, a breaker's `mode`, ...) are kept. The groups keep keys that only make sense together: `maxAttempts`; `backoff` + `multiplier`;
/// `baseDelay` + `maxDelay`; `jitter`; `budgetRatio` + `budgetMinPerSecond`; `window` +
/// `samplingDuration` + `windowSize`; `minimumThroughput`; `failureRatio`; `slowCallDuration` +
/// `slowCallRatio`; `breakDuration` + `breakDurationMultiplier`; `halfOpenPermittedCalls` +
/// `halfOpenSuccessRatio`; `timeout.duration`.
public enum TuningSearchSpace {
    public static let maxAttempts: ClosedRange<Int> = 1...5
    public static let baseDelay: ClosedRange<Duration> = .milliseconds(1) ... .seconds(1)
    public static let multiplier: ClosedRange<Double> = 1.5...3
    /// The upper end of `maxDelay`; its lower end is `max(baseDelay, 100 ms)`.
    public static let maxDelay: ClosedRange<Duration> = .milliseconds(100) ... .seconds(30)
    public static let budgetRatio: ClosedRange<Double> = 0...1
    public static let budgetMinPerSecond: ClosedRange<Double> = 1...100
    public static let samplingDuration: ClosedRange<Duration> = .seconds(1) ... .seconds(60)
    public static let windowSize: ClosedRange<Int> = 10...1000
    public static let minimumThroughput: ClosedRange<Int> = 5...200
    public static let failureRatio: ClosedRange<Double> = 0.1...0.9
    public static let slowCallDuration: ClosedRange<Duration> = .milliseconds(50) ... .seconds(10)
    public static let slowCallRatio: ClosedRange<Double> = 0.5...1
    public static let breakDuration: ClosedRange<Duration> = .seconds(1) ... .seconds(60)
    public static let breakDurationMultiplier: ClosedRange<Double> = 1...2
    public static let halfOpenPermittedCalls: ClosedRange<Int> = 1...20
    public static let halfOpenSuccessRatio: ClosedRange<Double> = 0.5...1
    public static let timeout: ClosedRange<Duration> = .milliseconds(50) ... .seconds(30)

    /// The ranges as `--help` lists them, one `section.key: range` per line.
    public static let summary: [String] = [
        "retry.maxAttempts 1-5; backoff constant|linear|exponential",
        "retry.baseDelay 1ms-1s (log); multiplier 1.5-3 (exponential only)",
        "retry.maxDelay max(baseDelay, 100ms)-30s (log)",
        "retry.jitter none|full|equal|decorrelated",
        "retry.budgetRatio 0-1; budgetMinPerSecond 1-100 (log)",
        "circuitBreaker.window time (samplingDuration 1s-60s, log)",
        "  or count (windowSize 10-1000, log)",
        "circuitBreaker.minimumThroughput 5-200 (log); failureRatio 0.1-0.9",
        "circuitBreaker.slowCallDuration off (half the draws) or 50ms-10s (log)",
        "  with slowCallRatio 0.5-1",
        "circuitBreaker.breakDuration 1s-60s (log); breakDurationMultiplier 1-2",
        "circuitBreaker.halfOpenPermittedCalls 1-20 (log); halfOpenSuccessRatio 0.5-1",
        "timeout.duration 50ms-30s (log)",
    ]

    /// Draws one policy from `random`. The draws are taken in a fixed order (the table's), so a
    /// generator's state determines the policy.
    public static func draw(_ random: inout SplitMix64) -> PolicyFile {
        var retry = RetryConfiguration()
        retry.maxAttempts = uniform(maxAttempts, &random)
        retry.backoff = choice(RetryConfiguration.Backoff.allCases, &random)
        retry.baseDelay = logUniform(baseDelay, &random)
        let drawnMultiplier = rounded(uniform(multiplier, &random), decimals: 1)
        retry.multiplier = retry.backoff == .exponential ? drawnMultiplier : RetryConfiguration().multiplier
        retry.maxDelay = logUniform(max(retry.baseDelay, maxDelay.lowerBound)...maxDelay.upperBound, &random)
        retry.jitter = choice(RetryConfiguration.Jitter.allCases, &random)
        retry.budgetRatio = rounded(uniform(budgetRatio, &random), decimals: 2)
        retry.budgetMinPerSecond = logUniform(budgetMinPerSecond, &random).rounded()

        var breaker = CircuitBreakerConfiguration()
        breaker.window = choice(CircuitBreakerConfiguration.WindowKind.allCases, &random)
        let drawnSampling = logUniform(samplingDuration, &random)
        let drawnSize = logUniform(windowSize, &random)
        switch breaker.window {
        case .time: breaker.samplingDuration = drawnSampling
        case .count: breaker.windowSize = drawnSize
        }
        breaker.minimumThroughput = logUniform(minimumThroughput, &random)
        breaker.failureRatio = rounded(uniform(failureRatio, &random), decimals: 2)
        let slowCallsOn = SimulationMath.unitInterval(&random) < 0.5
        let drawnSlowDuration = logUniform(slowCallDuration, &random)
        let drawnSlowRatio = rounded(uniform(slowCallRatio, &random), decimals: 2)
        if slowCallsOn {
            breaker.slowCallDuration = drawnSlowDuration
            breaker.slowCallRatio = drawnSlowRatio
        }
        breaker.breakDuration = logUniform(breakDuration, &random)
        breaker.breakDurationMultiplier = rounded(uniform(breakDurationMultiplier, &random), decimals: 1)
        breaker.halfOpenPermittedCalls = logUniform(halfOpenPermittedCalls, &random)
        breaker.halfOpenSuccessRatio = rounded(uniform(halfOpenSuccessRatio, &random), decimals: 2)

        let timeout = TimeoutConfiguration(duration: logUniform(Self.timeout, &random))
        return PolicyFile(retry: retry, circuitBreaker: breaker, timeout: timeout)
    }

    /// The groups of keys ``drawNear(_:_:)`` replaces independently, by key name (`section.key`):
    /// keys that only make sense together share a group.
    public static let groups: [[String]] = [
        ["retry.maxAttempts"],
        ["retry.backoff", "retry.multiplier"],
        ["retry.baseDelay", "retry.maxDelay"],
        ["retry.jitter"],
        ["retry.budgetRatio", "retry.budgetMinPerSecond"],
        ["circuitBreaker.window", "circuitBreaker.samplingDuration", "circuitBreaker.windowSize"],
        ["circuitBreaker.minimumThroughput"],
        ["circuitBreaker.failureRatio"],
        ["circuitBreaker.slowCallDuration", "circuitBreaker.slowCallRatio"],
        ["circuitBreaker.breakDuration", "circuitBreaker.breakDurationMultiplier"],
        ["circuitBreaker.halfOpenPermittedCalls", "circuitBreaker.halfOpenSuccessRatio"],
        ["timeout.duration"],
    ]

    /// Draws a policy from the whole space on top of `baseline`: a ``draw(_:)`` whose every key in
    /// ``groups`` replaces the baseline's (on ``SuitePolicy/defaultPipeline``, the draw itself).
    public static func draw(onto baseline: PolicyFile, _ random: inout SplitMix64) -> PolicyFile {
        let drawn = draw(&random)
        var policy = baseline
        for key in groups.joined() { policy.copyKey(key, from: drawn) }
        return policy
    }

    /// Draws a neighbour of `baseline`: a ``draw(_:)``, then one draw per group (``groups``, in
    /// order) deciding whether the group's keys come from it (probability 1/4); when none does, one
    /// more draw picks the group that does. Keys are copied by name through the configurations' key
    /// descriptions.
    public static func drawNear(_ baseline: PolicyFile, _ random: inout SplitMix64) -> PolicyFile {
        let drawn = draw(&random)
        var replaced = groups.map { _ in SimulationMath.unitInterval(&random) < 0.25 }
        if !replaced.contains(true) { replaced[SimulationMath.index(below: groups.count, &random)] = true }
        var policy = baseline
        for (group, isReplaced) in zip(groups, replaced) where isReplaced {
            for key in group { policy.copyKey(key, from: drawn) }
        }
        return policy
    }

    // MARK: - Distributions

    private static func uniform(_ range: ClosedRange<Double>, _ random: inout SplitMix64) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * SimulationMath.unitInterval(&random)
    }

    private static func uniform(_ range: ClosedRange<Int>, _ random: inout SplitMix64) -> Int {
        range.lowerBound + SimulationMath.index(below: range.count, &random)
    }

    private static func choice<Element>(_ elements: [Element], _ random: inout SplitMix64) -> Element {
        elements[SimulationMath.index(below: elements.count, &random)]
    }

    /// exp(uniform(ln low, ln high)).
    private static func logUniform(_ range: ClosedRange<Double>, _ random: inout SplitMix64) -> Double {
        let low = SimulationMath.naturalLog(range.lowerBound)
        let high = SimulationMath.naturalLog(range.upperBound)
        let value = SimulationMath.exponential(low + (high - low) * SimulationMath.unitInterval(&random))
        return min(max(value, range.lowerBound), range.upperBound)
    }

    /// A log-uniform whole number in `range`.
    private static func logUniform(_ range: ClosedRange<Int>, _ random: inout SplitMix64) -> Int {
        let value = logUniform(Double(range.lowerBound)...Double(range.upperBound), &random)
        return min(max(Int(value.rounded()), range.lowerBound), range.upperBound)
    }

    /// A log-uniform duration in `range`, rounded to two significant digits of a millisecond (at
    /// least 1 ms) and kept inside the range.
    private static func logUniform(_ range: ClosedRange<Duration>, _ random: inout SplitMix64) -> Duration {
        let low = milliseconds(range.lowerBound)
        let high = milliseconds(range.upperBound)
        let value = logUniform(low...high, &random)
        var scale = 1.0
        while value / scale >= 100 { scale *= 10 }
        let roundedValue = max(1, (value / scale).rounded() * scale)
        let duration = Duration.milliseconds(Int64(roundedValue))
        return min(max(duration, range.lowerBound), range.upperBound)
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        Double(SimulationMath.nanoseconds(duration)) / 1_000_000
    }

    private static func rounded(_ value: Double, decimals: Int) -> Double {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}
