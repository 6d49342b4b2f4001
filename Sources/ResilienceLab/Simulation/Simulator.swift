import Resilience
import ResilienceConfiguration

/// Runs a ``ScenarioDefinition`` under a ``PolicyFile`` in virtual time: a discrete-event simulation
/// of clients calling a dependency through the policies, deterministic for a seed.
///
/// ```swift
/// let result = try Simulator.run(.outageAndRecovery, policy: PolicyFile(circuitBreaker: .init()), policyName: "breaker")
/// result.goodput          // 0.7…
/// result.timeToDetect     // when the breaker first failed fast after the outage began
/// ```
///
/// **The same policies as production.** Calls go through ``PolicyRun``, the engine the `replay`
/// command uses, which drives the policies' own state machines (breaker, retry schedule and budget,
/// load shedder, rate limiter, concurrency limit, bulkhead) in the order and with the rules documented
/// on ``Replayer`` — only the answers differ: they come from a ``SimulatedDependency`` instead of a
/// trace's lines. An attempt that passes every policy *arrives* at the dependency, which serves it,
/// queues it or answers at once (503 overloaded, 429 rate limited with its `Retry-After`, connection
/// refused). Every error answer is a failure (retried, and counted by the breaker); a retry after a 429
/// waits for the `Retry-After` hint (capped by `maxDelay`). When an attempt's timeout fires before its
/// answer, the client gives up: the attempt leaves the dependency's queue, or — being served — keeps its
/// worker busy until its service time ends. That is what makes overload emergent: timed-out work still
/// costs the server, and retries add to the load.
///
/// **Traffic.** Open-loop arrivals and closed-loop clients from ``TrafficGenerator`` (a client's next
/// call comes a think time after its call ends, however it ended). Each call has its priority (what the
/// load shedder sees) and operation (the rate limiter's key: one bucket per operation name).
///
/// **Same instant.** Events at one instant are handled as: attempt outcomes, then (in the order they
/// were scheduled) workers freeing and new calls arriving, then queued waits ending, then retries and
/// rate-limit reservations starting.
///
/// **Randomness.** `seed` (the scenario's own seed by default) seeds the traffic (``TrafficGenerator``:
/// the same calls whatever the policy), and, through a ``SplitMix64`` seeded with `seed ^ 0x5EED`,
/// the dependency's draws (first output) and the retry jitter (second output).
///
/// **Measured** (see ``SimulationResult``): how every call ended and what it waited for, what the
/// dependency received, the first outage's time to detect and to recover, every breaker state change
/// (as the breaker reports them: a change into half-open is seen by the first call after the break), and
/// every `intervalWidth` of the run: calls, ends, latency, the breaker's state and the dependency's
/// in-flight calls at the interval's end (read from a copy of the breaker, so measuring changes
/// nothing). The intervals cover the scenario's duration and then go on until the last call has
/// ended, for at most ``ScenarioLimits/maxIntervals`` intervals (a longer run is an error, and so is a
/// run that makes no call); the events left after that (timers of calls that ended first, workers finishing calls
/// their clients gave up on) are handled but not charted, so a 30 s timeout of the last call does
/// not stretch the charts by 30 s of nothing.
public enum Simulator {
    /// Runs `scenario` under `policy`.
    /// - Parameters:
    ///   - policyName: the policy's name in the result (and the file named in configuration errors).
    ///   - seed: overrides the scenario's seed.
    ///   - intervalWidth: the width of the result's intervals (`> 0`); by default 1 s, or
    ///     `duration / 1000` rounded up to whole seconds for a scenario longer than 1,000 s
    ///     (``ScenarioLimits/intervalWidth(for:)``), so that a long run has a bounded number of intervals.
    /// - Throws: ``LabInputError`` when the policy's configuration or the scenario is rejected, when the
    ///   run makes no call, or when its calls have not all ended after ``ScenarioLimits/maxIntervals``
    ///   intervals (a dependency too slow to ever drain its queue).
    public static func run(
        _ scenario: ScenarioDefinition, policy: PolicyFile, policyName: String, seed: UInt64? = nil,
        intervalWidth: Duration? = nil
    ) throws(LabInputError) -> SimulationResult {
        let intervalWidth = intervalWidth ?? ScenarioLimits.intervalWidth(for: scenario.duration)
        guard intervalWidth > .zero else {
            throw LabInputError(file: policyName, message: "intervalWidth: \(DurationText.format(intervalWidth)) is not allowed; allowed: > 0")
        }
        let seed = seed ?? scenario.seed
        var seeds = SplitMix64(seed: seed ^ 0x5EED)
        let dependencyRandom = SplitMix64(seed: seeds.next())
        let initialHost = try SimulationHost(
            scenario: scenario, seed: seed, dependencyRandom: dependencyRandom, keyByOperation: policy.rateLimiter != nil)
        var run = try PolicyRun(policy: policy, policyFile: policyName, seed: seeds.next(), host: initialHost)
        SimulationHost.scheduleFirstArrivals(&run)

        var intervals: [SimulationResult.Interval] = []
        var boundary = intervalWidth
        while run.events.count > 0 {
            try run.processEvents(upTo: PolicyRun<SimulationHost>.Instant(offset: boundary - Duration(attoseconds: 1)))
            intervals.append(closeInterval(&run, at: boundary))
            // Every arrival comes before the duration, so past it with no call in flight the run is over.
            if boundary >= scenario.duration && run.callsInFlight == 0 { break }
            if intervals.count >= ScenarioLimits.maxIntervals {
                throw LabInputError(
                    file: "scenario \(scenario.name)",
                    message: "under policy \(policyName), \(run.callsInFlight) calls had still not ended at \(DurationText.format(boundary)) of simulated time, \(ScenarioLimits.maxIntervals) intervals of \(DurationText.format(intervalWidth)) (the scenario lasts \(DurationText.format(scenario.duration))); a run may last at most that long: shorten the dependency's serviceTime or latencyMultiplier, lower maxQueue, or add a timeout to the policy")
            }
            boundary += intervalWidth
        }
        try run.processEvents(upTo: nil)

        let host = run.host
        guard host.calls > 0 else {
            throw LabInputError(
                file: "scenario \(scenario.name)",
                message: "the traffic made no calls in \(DurationText.format(scenario.duration)) (seed \(seed)), so there is nothing to measure: raise traffic.rates' ratePerSecond, or add bursts or closedLoop clients")
        }
        var endedByPolicy: [String: Int] = [:]
        for policy in SimulationHost.EndingPolicy.allCases where host.endedByPolicy[policy.rawValue] > 0 {
            endedByPolicy[policy.name] = host.endedByPolicy[policy.rawValue]
        }
        return SimulationResult(
            scenario: scenario.name, policy: policyName, seed: seed, duration: scenario.duration,
            endedAt: host.lastCallEnd, calls: host.calls, succeeded: host.succeeded, failed: host.failed,
            endedByPolicy: endedByPolicy, attempts: run.executions, retries: run.retries,
            retriesDeniedByBudget: run.retriesDeniedByBudget, latency: .init(host.latency),
            successLatency: .init(host.successLatency), dependency: host.dependency.counters,
            outageStart: host.outageStart, outageEnd: host.outageEnd, timeToDetect: host.timeToDetect,
            timeToRecover: host.timeToRecover, breakerChanges: host.breakerChanges, intervalWidth: intervalWidth,
            intervals: intervals)
    }

    /// Finishes the interval ending at `boundary` (every event before it handled) and starts the next.
    private static func closeInterval(_ run: inout PolicyRun<SimulationHost>, at boundary: Duration) -> SimulationResult.Interval {
        var interval = run.host.interval
        let percentiles = run.host.intervalLatency.percentiles(50, 99)
        (interval.p50, interval.p99) = (percentiles[0], percentiles[1])
        var breaker = run.machine  // a copy: reading the state must not apply a transition early
        interval.breakerState = breaker?.state(now: ClockOffset(boundary)).state
        interval.dependencyInFlight = run.host.dependency.busyWorkers + run.host.dependency.queueLength
        run.host.interval = SimulationResult.Interval(start: boundary)
        run.host.intervalLatency.reset()
        return interval
    }
}
