import Resilience
import ResilienceConfiguration

/// Simulation results as JSON text for scripts: `resilience-lab run --json` (one result) and the suite
/// (an array of results, in run order).
///
/// The text is deterministic: the same result always gives the same bytes (keys in a fixed order,
/// `endedByPolicy` keys sorted, no floating-point noise). It ends with a newline. One result:
///
/// ```json
/// {
///   "scenario": "outage-and-recovery",
///   "policy": "default",
///   "seed": 1,
///   "durationMs": 120000,
///   "endedAtMs": 120250.5,
///   "calls": 120000,
///   "succeeded": 95000,
///   "failed": 1000,
///   "endedByPolicy": {"circuitBreaker": 23000, "timeout": 1000},
///   "goodput": 0.791667,
///   "amplification": 0.812342,
///   "attempts": 97481,
///   "retries": 2000,
///   "retriesDeniedByBudget": 500,
///   "latencyMs": {"count": 120000, "p50": 20.1, "p90": 61.2, "p99": 201, "p999": 1000, "max": 2000, "mean": 35.75},
///   "successLatencyMs": {"count": 95000, "p50": 20, "p90": 60, "p99": 199, "p999": 800, "max": 1500, "mean": 30},
///   "dependency": {"received": 97481, "served": 96000, "succeeded": 95000, "failed": 1000, "overloaded": 0, "rateLimited": 0, "refused": 1481, "abandonedWhileQueued": 0, "abandonedWhileServed": 0, "maxQueueLength": 12, "busyTimeMs": 3129600},
///   "outage": {"startMs": 30000, "endMs": 70000, "timeToDetectMs": 812, "timeToRecoverMs": 5003},
///   "breakerChanges": [
///     {"atMs": 30812, "from": "closed", "to": "open"},
///     {"atMs": 35812, "from": "open", "to": "halfOpen"}
///   ],
///   "intervalWidthMs": 1000,
///   "intervals": [
///     {"startMs": 0, "calls": 1003, "succeeded": 990, "failed": 0, "endedByPolicy": 0, "dependencyReceived": 1003, "p50Ms": 20, "p99Ms": 190, "breakerState": "closed", "dependencyInFlight": 31}
///   ]
/// }
/// ```
///
/// - Durations are milliseconds as exact decimal numbers (`MillisecondsText`: `200`, `153.25`), never
///   rounded; instants (`endedAtMs`, `atMs`, `startMs`) are from the start of the simulation.
/// - `goodput` (`succeeded / calls`, 1 without calls) and `amplification` (`dependency.received / calls`,
///   0 without calls) have exactly 6 decimals, rounded half up from the exact fraction.
/// - `outage` is `null` when the scenario has no outage; inside it, `endMs`, `timeToDetectMs` and
///   `timeToRecoverMs` are `null` when unknown (see ``SimulationResult``).
/// - `breakerState` is `null` without a breaker; states are `closed`, `open`, `halfOpen`, `forcedOpen`,
///   `forcedClosed`.
/// - `intervals` has one entry per `intervalWidthMs` (1000, or `duration / 1000` rounded up to whole
///   seconds for a scenario longer than 1,000 s), at most 2,000 entries (``ScenarioLimits``).
/// - The array of a suite is `[`, each result indented by two more spaces, separated by `,`, then `]`.
public enum SimulationResultJSON {
    /// `result` as a JSON object (format in the type's documentation), ending with a newline.
    public static func render(_ result: SimulationResult) -> String {
        JSONWriter.text(object(result)) + "\n"
    }

    /// `results` as a JSON array of the objects of ``render(_:)``, in the given order, ending with a
    /// newline (`[]` when empty).
    public static func render(_ results: [SimulationResult]) -> String {
        JSONWriter.text(.array(results.map(object), layout: .lines)) + "\n"
    }

    /// The object of one result: one member per line, the arrays one element per line.
    static func object(_ result: SimulationResult) -> JSONWriter.Value {
        let changes: [JSONWriter.Value] = result.breakerChanges.map { change in
            .object([
                ("atMs", .milliseconds(change.at)),
                ("from", .string(change.from.rawValue)),
                ("to", .string(change.to.rawValue)),
            ])
        }
        return .object([
            ("scenario", .string(result.scenario)),
            ("policy", .string(result.policy)),
            ("seed", .unsigned(result.seed)),
            ("durationMs", .milliseconds(result.duration)),
            ("endedAtMs", .milliseconds(result.endedAt)),
            ("calls", .integer(result.calls)),
            ("succeeded", .integer(result.succeeded)),
            ("failed", .integer(result.failed)),
            ("endedByPolicy", .object(result.endedByPolicy.sorted { $0.key < $1.key }.map { ($0.key, .integer($0.value)) })),
            ("goodput", result.calls == 0 ? .ratio(1, 1, decimals: 6) : .ratio(result.succeeded, result.calls, decimals: 6)),
            ("amplification", .ratio(result.dependency.received, result.calls, decimals: 6)),
            ("attempts", .integer(result.attempts)),
            ("retries", .integer(result.retries)),
            ("retriesDeniedByBudget", .integer(result.retriesDeniedByBudget)),
            ("latencyMs", latencies(result.latency)),
            ("successLatencyMs", latencies(result.successLatency)),
            ("dependency", dependency(result.dependency)),
            ("outage", outage(result)),
            ("breakerChanges", .array(changes, layout: .lines)),
            ("intervalWidthMs", .milliseconds(result.intervalWidth)),
            ("intervals", .array(result.intervals.map(interval), layout: .lines)),
        ], layout: .lines)
    }

    static func latencies(_ latencies: SimulationResult.Latencies) -> JSONWriter.Value {
        .object([
            ("count", .integer(latencies.count)),
            ("p50", .milliseconds(latencies.p50)),
            ("p90", .milliseconds(latencies.p90)),
            ("p99", .milliseconds(latencies.p99)),
            ("p999", .milliseconds(latencies.p999)),
            ("max", .milliseconds(latencies.max)),
            ("mean", .milliseconds(latencies.mean)),
        ])
    }

    static func dependency(_ counters: DependencyCounters) -> JSONWriter.Value {
        .object([
            ("received", .integer(counters.received)),
            ("served", .integer(counters.served)),
            ("succeeded", .integer(counters.succeeded)),
            ("failed", .integer(counters.failed)),
            ("overloaded", .integer(counters.overloaded)),
            ("rateLimited", .integer(counters.rateLimited)),
            ("refused", .integer(counters.refused)),
            ("abandonedWhileQueued", .integer(counters.abandonedWhileQueued)),
            ("abandonedWhileServed", .integer(counters.abandonedWhileServed)),
            ("maxQueueLength", .integer(counters.maxQueueLength)),
            ("busyTimeMs", .milliseconds(counters.busyTime)),
        ])
    }

    static func outage(_ result: SimulationResult) -> JSONWriter.Value {
        guard let start = result.outageStart else { return .null }
        return .object([
            ("startMs", .milliseconds(start)),
            ("endMs", optional(result.outageEnd)),
            ("timeToDetectMs", optional(result.timeToDetect)),
            ("timeToRecoverMs", optional(result.timeToRecover)),
        ])
    }

    static func interval(_ interval: SimulationResult.Interval) -> JSONWriter.Value {
        .object([
            ("startMs", .milliseconds(interval.start)),
            ("calls", .integer(interval.calls)),
            ("succeeded", .integer(interval.succeeded)),
            ("failed", .integer(interval.failed)),
            ("endedByPolicy", .integer(interval.endedByPolicy)),
            ("dependencyReceived", .integer(interval.dependencyReceived)),
            ("p50Ms", .milliseconds(interval.p50)),
            ("p99Ms", .milliseconds(interval.p99)),
            ("breakerState", interval.breakerState.map { .string($0.rawValue) } ?? .null),
            ("dependencyInFlight", .integer(interval.dependencyInFlight)),
        ])
    }

    static func optional(_ duration: Duration?) -> JSONWriter.Value {
        duration.map(JSONWriter.Value.milliseconds) ?? .null
    }
}
