import Resilience
import ResilienceConfiguration

// The built-in scenarios are built with the unchecked initialisers (a static initialiser cannot throw);
// `ScenarioDefinition.validate()` checks every part of them, and the tests run it on each one.
extension ScenarioDefinition {
    /// The dependency of the built-in scenarios: 50 workers, a queue of `maxQueue` (100 unless said
    /// otherwise), log-normal service time with a 20 ms median and a 200 ms p99 (mean 32.6 ms), so it
    /// serves about 1,530 calls per second when healthy.
    static func builtInDependency(_ phases: [DependencyBehaviour.Phase] = [], maxQueue: Int = 100) -> DependencyModel {
        DependencyModel(
            unchecked: 50, maxQueue: maxQueue,
            serviceTime: .logNormal(median: .milliseconds(20), p99: .milliseconds(200)),
            behaviour: DependencyBehaviour(unchecked: phases))
    }

    /// Open-loop traffic at `ratePerSecond`, plus `bursts`, with the built-in mix: priorities 20 % low,
    /// 60 % normal, 15 % high, 5 % critical; operations 80 % `read`, 20 % `write`.
    static func builtInTraffic(ratePerSecond: Double, bursts: [TrafficModel.Burst] = []) -> TrafficModel {
        TrafficModel(
            unchecked: [.init(from: .zero, ratePerSecond: ratePerSecond)], bursts: bursts,
            priorities: WeightedMix(unchecked: [(.low, 0.2), (.normal, 0.6), (.high, 0.15), (.critical, 0.05)]),
            operations: WeightedMix(unchecked: [("read", 0.8), ("write", 0.2)]))
    }

    private static func builtIn(
        _ name: String, _ summary: String, seconds: Int64, traffic: TrafficModel, dependency: DependencyModel
    ) -> ScenarioDefinition {
        ScenarioDefinition(
            unchecked: name, summary: summary, duration: .seconds(seconds), seed: 1, traffic: traffic, dependency: dependency)
    }

    /// `steady-state`: 1,000 calls/s for 60 s (≈ 60k calls) against the healthy dependency at about
    /// 65 % of its capacity. Shows what protection costs when nothing goes wrong: every policy should
    /// match "no protection" on goodput and latency, and retries should add almost nothing.
    public static let steadyState = builtIn(
        "steady-state",
        "1,000 calls/s against a healthy dependency at 65 % of capacity: protection should cost nothing.",
        seconds: 60, traffic: builtInTraffic(ratePerSecond: 1_000), dependency: builtInDependency())

    /// `outage-and-recovery`: 1,000 calls/s for 120 s (≈ 120k calls); the dependency is down (connection
    /// refused) from 30 s to 70 s, then healthy. Shows the time to detect the outage (the breaker's first
    /// fast rejection after 30 s), the load clients keep sending to a dead dependency, and the time to
    /// recover after 70 s (at most one break duration plus one probe for a breaker).
    public static let outageAndRecovery = builtIn(
        "outage-and-recovery",
        "The dependency refuses every call from 30 s to 70 s: time to detect the outage and to recover.",
        seconds: 120, traffic: builtInTraffic(ratePerSecond: 1_000),
        dependency: builtInDependency([
            .init(from: .seconds(30), condition: .down),
            .init(from: .seconds(70), condition: .healthy),
        ]))

    /// `brownout`: 1,000 calls/s for 90 s (≈ 90k calls); from 30 s to 60 s every service time is 4 ×
    /// longer, so capacity drops to about 380 calls/s: the queue fills, latency climbs to the queue's
    /// wait, the rest is rejected 503. Shows timeouts and concurrency limits bounding latency instead of
    /// letting every call wait, and how fast each policy returns to normal after 60 s.
    public static let brownout = builtIn(
        "brownout",
        "Service times 4× longer from 30 s to 60 s: capacity falls below the traffic, queues and latency grow.",
        seconds: 90, traffic: builtInTraffic(ratePerSecond: 1_000),
        dependency: builtInDependency([
            .init(from: .seconds(30), condition: .brownout(latencyMultiplier: 4)),
            .init(from: .seconds(60), condition: .healthy),
        ]))

    /// `error-burst`: 1,000 calls/s for 90 s (≈ 90k calls); from 30 s to 45 s, 60 % of calls fail after
    /// their service time (a bad deploy answering 500). Shows retries recovering part of the failures
    /// (each attempt fails independently) and a breaker with a 50 % threshold opening, trading the
    /// remaining 40 % of successes for less load.
    public static let errorBurst = builtIn(
        "error-burst",
        "60 % of calls fail from 30 s to 45 s: retries recover some, a breaker opens.",
        seconds: 90, traffic: builtInTraffic(ratePerSecond: 1_000),
        dependency: builtInDependency([
            .init(from: .seconds(30), condition: .failing(fraction: 0.6)),
            .init(from: .seconds(45), condition: .healthy),
        ]))

    /// `flapping-dependency`: 1,000 calls/s for 120 s (≈ 120k calls); from 30 s to 90 s the dependency
    /// is down for the first 3 s of every 10 s and healthy for the other 7. Shows whether a breaker
    /// keeps up (opens in each down window, closes in each healthy one) or stays open through healthy
    /// windows, losing goodput.
    public static let flappingDependency = builtIn(
        "flapping-dependency",
        "Down 3 s of every 10 s from 30 s to 90 s: does the breaker follow, or stay open through healthy time?",
        seconds: 120, traffic: builtInTraffic(ratePerSecond: 1_000),
        dependency: builtInDependency([
            .init(from: .seconds(30), condition: .flapping(period: .seconds(10), downFraction: 0.3)),
            .init(from: .seconds(90), condition: .healthy),
        ]))

    /// `overload-with-naive-retries`: 1,380 calls/s for 60 s (≈ 83k calls, about 90 % of the healthy
    /// dependency's capacity) plus a burst of 3,000 calls over 1 s at 20 s, against a dependency with a
    /// deep backlog (a queue of 2,000: more than a second of work). The dependency itself never fails:
    /// the burst fills the queue, waits exceed a 1 s client timeout, and calls whose client gave up
    /// while a worker served them keep that worker busy for nothing. Under a naive retry policy every
    /// timeout sends another attempt, so the load stays above capacity after the burst is over (a
    /// retry storm: measured amplification 2.26, goodput 40 %), while no protection at all waits and
    /// gets 99 %, and the default pipeline (its retry budget) keeps amplification near 1.
    public static let overloadWithNaiveRetries = builtIn(
        "overload-with-naive-retries",
        "Traffic at 90 % of capacity plus a burst, a deep queue: a naive retry policy turns the burst into a retry storm.",
        seconds: 60,
        traffic: builtInTraffic(
            ratePerSecond: 1_380, bursts: [.init(at: .seconds(20), calls: 3_000, over: .seconds(1))]),
        dependency: builtInDependency(maxQueue: 2_000))

    /// The built-in suite, in the order `resilience-lab` runs it.
    public static let builtIn: [ScenarioDefinition] = [
        steadyState, outageAndRecovery, brownout, errorBurst, flappingDependency, overloadWithNaiveRetries,
    ]

    /// The built-in scenario named `name`, if any.
    public static func builtIn(named name: String) -> ScenarioDefinition? {
        builtIn.first { $0.name == name }
    }
}
