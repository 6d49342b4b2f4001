import Resilience
import ResilienceConfiguration

/// A load scenario for `resilience-lab`: traffic against a dependency that behaves in a given way over
/// time, for a duration, with a seed. The same definition and seed always give the same run.
///
/// The built-in suite is ``builtIn``; a scenario file is JSON read by ``parse(_:file:)`` or YAML read by
/// ``parseYAML(_:file:)``, and ``load(path:)`` picks by extension (`.yaml`/`.yml` → YAML, anything else
/// → JSON). A complete file, every field shown (durations are strings with a unit: `ns`, `us`,
/// `ms`, `s`, `m`, `h`):
///
/// ```json
/// {
///   "name": "checkout-outage",
///   "description": "The payment provider goes down for 30 s during a sale.",
///   "duration": "120s",
///   "seed": 42,
///   "traffic": {
///     "rates": [{"from": "0s", "ratePerSecond": 800}, {"from": "60s", "ratePerSecond": 1200}],
///     "bursts": [{"at": "90s", "calls": 2000, "over": "2s"}],
///     "closedLoop": {"clients": 20, "thinkTime": {"constant": "100ms"}},
///     "priorities": {"low": 0.2, "normal": 0.6, "high": 0.15, "critical": 0.05},
///     "operations": {"authorize": 0.9, "refund": 0.1}
///   },
///   "dependency": {
///     "workers": 50,
///     "maxQueue": 100,
///     "serviceTime": {"logNormal": {"median": "20ms", "p99": "200ms"}},
///     "phases": [
///       {"from": "30s", "condition": "down"},
///       {"from": "60s", "condition": "healthy"},
///       {"from": "70s", "condition": "failing", "fraction": 0.3},
///       {"from": "80s", "condition": "brownout", "latencyMultiplier": 4},
///       {"from": "90s", "condition": "flapping", "period": "5s", "downFraction": 0.4},
///       {"from": "100s", "condition": "rateLimiting", "capacityPerSecond": 500, "retryAfter": "1s"}
///     ]
///   }
/// }
/// ```
///
/// The same scenario in YAML (same keys and nesting; `20ms` needs no quotes, numbers stay numbers):
///
/// ```yaml
/// name: checkout-outage
/// description: The payment provider goes down for 30 s during a sale.
/// duration: 120s
/// seed: 42
/// traffic:
///   rates:
///     - {from: 0s, ratePerSecond: 800}
///     - {from: 60s, ratePerSecond: 1200}
///   bursts:
///     - {at: 90s, calls: 2000, over: 2s}
///   closedLoop: {clients: 20, thinkTime: {constant: 100ms}}
///   priorities: {low: 0.2, normal: 0.6, high: 0.15, critical: 0.05}
///   operations: {authorize: 0.9, refund: 0.1}
/// dependency:
///   workers: 50
///   maxQueue: 100
///   serviceTime:
///     logNormal: {median: 20ms, p99: 200ms}
///   phases:
///     - {from: 30s, condition: down}
///     - {from: 60s, condition: healthy}
///     - {from: 70s, condition: failing, fraction: 0.3}
///     - {from: 80s, condition: brownout, latencyMultiplier: 4}
///     - {from: 90s, condition: flapping, period: 5s, downFraction: 0.4}
///     - {from: 100s, condition: rateLimiting, capacityPerSecond: 500, retryAfter: 1s}
/// ```
///
/// YAML scalars are typed by the YAML 1.2 core schema (see ``parseYAML(_:file:)``): a value that must
/// be a number (`seed`, `fraction`) is rejected, with its field named, if written quoted (`"42"`);
/// `yes`/`no`/`on`/`off` are plain strings. Anchors and aliases may be used; merge keys (`<<`),
/// non-string keys, duplicate keys and several documents in one file are errors.
///
/// - `name` (required): a short name without spaces, used in reports.
/// - `description`: what the scenario shows.
/// - `duration` (required, in `(0s, 24h]`): calls arrive in `[0, duration)`.
/// - `seed`: integer `>= 0` (default 0).
/// - `traffic` (required; see ``TrafficModel``): `rates` (the open-loop Poisson rate from each `from`
///   on, `from` strictly increasing; no open-loop calls before the first), `bursts` (exactly `calls`
///   extra calls at uniform instants in `[at, at + over)`; `over` defaults to `0s`), `closedLoop`
///   (`clients` that each call again `thinkTime` after their previous call ended; `thinkTime` is a
///   distribution like `serviceTime`), `priorities` (weights by priority: `low`, `normal`, `high`,
///   `critical`; default all `normal`), `operations` (weights by operation name; default `{"call": 1}`).
///   At least one of `rates` (with a rate `> 0`), `bursts`, `closedLoop`; at most 100,000,000 calls
///   expected in all.
/// - `dependency` (required; see ``DependencyModel``): `workers` (`>= 1`), `maxQueue` (`>= 0`),
///   `serviceTime` — exactly one of `{"constant": "20ms"}` (in `[0s, 1h]`),
///   `{"logNormal": {"median": "20ms", "p99": "200ms"}}` (`0 < median < p99 <= 1h`, `p99 <= 1000 ×
///   median`), `{"empirical": ["12ms", "15ms", "40ms"]}` (each in `[0s, 1h]`) — and `phases` (default:
///   healthy throughout), each `{"from": ..., "condition": ...}` with the condition's parameters (see
///   ``DependencyBehaviour/Condition``): `healthy`, `down`, `failing` (`fraction` in `[0, 1]`),
///   `brownout` (`latencyMultiplier` in `[1, 1000]`), `flapping` (`period` in `[1ms, 24h]`,
///   `downFraction` in `[0, 1]`), `rateLimiting` (`capacityPerSecond` in `[0.01, 1000000000]`,
///   `retryAfter` in `[0s, 1h]`).
/// - Every instant (`from`, `at`, `at + over`) lies before `duration`.
///
/// Unknown keys, wrong types and out-of-range values are errors naming the field with its path:
/// `dependency.phases[2].fraction: 1.5 is not allowed; allowed: [0, 1]`. Every range, and the limits of
/// a run, are in one table: ``ScenarioLimits``.
public struct ScenarioDefinition: Sendable, Hashable {
    /// A short name, used in reports and to pick a built-in scenario.
    public var name: String
    /// What the scenario is meant to show.
    public var summary: String
    /// How long traffic arrives: calls come in `[0, duration)`.
    public var duration: Duration
    /// The seed of every random draw of a run.
    public var seed: UInt64
    /// The calls clients make.
    public var traffic: TrafficModel
    /// The dependency they call.
    public var dependency: DependencyModel

    /// Creates and validates a scenario.
    /// - Throws: ``ConfigurationError`` naming the field (see ``validate()``).
    public init(
        name: String, summary: String = "", duration: Duration, seed: UInt64 = 0, traffic: TrafficModel,
        dependency: DependencyModel
    ) throws(ConfigurationError) {
        self.name = name
        self.summary = summary
        self.duration = duration
        self.seed = seed
        self.traffic = traffic
        self.dependency = dependency
        try validate()
    }

    /// A scenario that is not validated: for the built-in scenarios only, whose tests call ``validate()``
    /// (which checks every field, the traffic's mixes and the dependency's phases included).
    init(
        unchecked name: String, summary: String = "", duration: Duration, seed: UInt64 = 0, traffic: TrafficModel,
        dependency: DependencyModel
    ) {
        self.name = name
        self.summary = summary
        self.duration = duration
        self.seed = seed
        self.traffic = traffic
        self.dependency = dependency
    }

    /// Checks the scenario as a whole: a name, `duration` in `(0s, 24h]`, some traffic (a rate `> 0`, a
    /// burst or closed-loop clients; at most 100,000,000 expected calls), and every instant of the
    /// traffic and the dependency's phases before `duration` (so that nothing written is ignored).
    /// - Throws: ``ConfigurationError`` naming `name`, `duration`, `traffic`, `traffic.rates[i].from`,
    ///   `traffic.bursts[i].at`, `dependency.phases[i].from`, or the field of the traffic or dependency.
    public func validate() throws(ConfigurationError) {
        try SimulationCheck.that(!name.isEmpty && !name.contains(" "), "name", jsonQuoted(name), "a non-empty name without spaces")
        try SimulationCheck.that(
            duration > .zero && duration <= ScenarioLimits.maxDuration, "duration", DurationText.format(duration), "(0s, 24h]")
        do {
            try traffic.validate()
        } catch {
            throw error.prefixingKey(with: "traffic")
        }
        do {
            try dependency.validate()
        } catch {
            throw error.prefixingKey(with: "dependency")
        }
        try SimulationCheck.that(
            !traffic.rates.isEmpty || !traffic.bursts.isEmpty || traffic.closedLoop != nil, "traffic", "{}",
            "at least one of rates, bursts, closedLoop")
        try SimulationCheck.that(
            traffic.rates.contains { $0.ratePerSecond > 0 } || !traffic.bursts.isEmpty || traffic.closedLoop != nil,
            "traffic.rates", "every ratePerSecond 0", "a ratePerSecond > 0, or bursts or closedLoop: a run must make calls")
        let expected = traffic.expectedCalls(over: duration)
        try SimulationCheck.that(
            expected <= ScenarioLimits.maxExpectedCalls, "traffic", "\(SimulationCheck.text(expected.rounded())) expected calls",
            "<= 100000000 expected calls (each rate × how long it lasts, plus bursts, plus closedLoop.clients × duration / mean thinkTime)")
        let end = "< duration (\(DurationText.format(duration)))"
        for (index, rate) in traffic.rates.enumerated() {
            try SimulationCheck.that(rate.from < duration, "traffic.rates[\(index)].from", DurationText.format(rate.from), end)
        }
        for (index, burst) in traffic.bursts.enumerated() {
            try SimulationCheck.that(
                burst.at < duration, "traffic.bursts[\(index)].at", DurationText.format(burst.at), end)
            try SimulationCheck.that(
                burst.at + burst.over <= duration, "traffic.bursts[\(index)].over", DurationText.format(burst.over),
                "at + over <= duration (\(DurationText.format(duration)))")
        }
        for (index, phase) in dependency.behaviour.phases.enumerated() {
            try SimulationCheck.that(
                phase.from < duration, "dependency.phases[\(index)].from", DurationText.format(phase.from), end)
        }
    }
}
