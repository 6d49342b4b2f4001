import Resilience

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
/// - The array of a suite is `[`, each result indented by two more spaces, separated by `,`, then `]`.
public enum SimulationResultJSON {
    /// `result` as a JSON object (format in the type's documentation), ending with a newline.
    public static func render(_ result: SimulationResult) -> String {
        object(result, indent: "") + "\n"
    }

    /// `results` as a JSON array of the objects of ``render(_:)``, in the given order, ending with a
    /// newline (`[]` when empty).
    public static func render(_ results: [SimulationResult]) -> String {
        guard !results.isEmpty else { return "[]\n" }
        let objects = results.map { "  " + object($0, indent: "  ") }
        return "[\n" + objects.joined(separator: ",\n") + "\n]\n"
    }

    /// The object of one result; `indent` prefixes every line after the first.
    static func object(_ result: SimulationResult, indent: String) -> String {
        var members: [(String, String)] = [
            ("scenario", jsonQuoted(result.scenario)),
            ("policy", jsonQuoted(result.policy)),
            ("seed", String(result.seed)),
            ("durationMs", MillisecondsText.format(result.duration)),
            ("endedAtMs", MillisecondsText.format(result.endedAt)),
            ("calls", String(result.calls)),
            ("succeeded", String(result.succeeded)),
            ("failed", String(result.failed)),
            ("endedByPolicy", inline(result.endedByPolicy.sorted { $0.key < $1.key }.map { ($0.key, String($0.value)) })),
            ("goodput", result.calls == 0 ? ReportNumber.fixedRatio(1, 1, decimals: 6)
                : ReportNumber.fixedRatio(result.succeeded, result.calls, decimals: 6)),
            ("amplification", ReportNumber.fixedRatio(result.dependency.received, result.calls, decimals: 6)),
            ("attempts", String(result.attempts)),
            ("retries", String(result.retries)),
            ("retriesDeniedByBudget", String(result.retriesDeniedByBudget)),
            ("latencyMs", latencies(result.latency)),
            ("successLatencyMs", latencies(result.successLatency)),
            ("dependency", dependency(result.dependency)),
            ("outage", outage(result)),
        ]
        let changes = result.breakerChanges.map { change in
            inline([
                ("atMs", MillisecondsText.format(change.at)),
                ("from", jsonQuoted(change.from.rawValue)),
                ("to", jsonQuoted(change.to.rawValue)),
            ])
        }
        members.append(("breakerChanges", array(changes, indent: indent + "  ")))
        members.append(("intervalWidthMs", MillisecondsText.format(result.intervalWidth)))
        members.append(("intervals", array(result.intervals.map(interval), indent: indent + "  ")))
        let lines = members.map { "\(indent)  \(jsonQuoted($0.0)): \($0.1)" }
        return "{\n" + lines.joined(separator: ",\n") + "\n\(indent)}"
    }

    static func latencies(_ latencies: SimulationResult.Latencies) -> String {
        inline([
            ("count", String(latencies.count)),
            ("p50", MillisecondsText.format(latencies.p50)),
            ("p90", MillisecondsText.format(latencies.p90)),
            ("p99", MillisecondsText.format(latencies.p99)),
            ("p999", MillisecondsText.format(latencies.p999)),
            ("max", MillisecondsText.format(latencies.max)),
            ("mean", MillisecondsText.format(latencies.mean)),
        ])
    }

    static func dependency(_ counters: DependencyCounters) -> String {
        inline([
            ("received", String(counters.received)),
            ("served", String(counters.served)),
            ("succeeded", String(counters.succeeded)),
            ("failed", String(counters.failed)),
            ("overloaded", String(counters.overloaded)),
            ("rateLimited", String(counters.rateLimited)),
            ("refused", String(counters.refused)),
            ("abandonedWhileQueued", String(counters.abandonedWhileQueued)),
            ("abandonedWhileServed", String(counters.abandonedWhileServed)),
            ("maxQueueLength", String(counters.maxQueueLength)),
            ("busyTimeMs", MillisecondsText.format(counters.busyTime)),
        ])
    }

    static func outage(_ result: SimulationResult) -> String {
        guard let start = result.outageStart else { return "null" }
        return inline([
            ("startMs", MillisecondsText.format(start)),
            ("endMs", optional(result.outageEnd)),
            ("timeToDetectMs", optional(result.timeToDetect)),
            ("timeToRecoverMs", optional(result.timeToRecover)),
        ])
    }

    static func interval(_ interval: SimulationResult.Interval) -> String {
        inline([
            ("startMs", MillisecondsText.format(interval.start)),
            ("calls", String(interval.calls)),
            ("succeeded", String(interval.succeeded)),
            ("failed", String(interval.failed)),
            ("endedByPolicy", String(interval.endedByPolicy)),
            ("dependencyReceived", String(interval.dependencyReceived)),
            ("p50Ms", MillisecondsText.format(interval.p50)),
            ("p99Ms", MillisecondsText.format(interval.p99)),
            ("breakerState", interval.breakerState.map { jsonQuoted($0.rawValue) } ?? "null"),
            ("dependencyInFlight", String(interval.dependencyInFlight)),
        ])
    }

    static func optional(_ duration: Duration?) -> String {
        duration.map(MillisecondsText.format) ?? "null"
    }

    /// `{"a": 1, "b": 2}` on one line (`{}` when empty); values are JSON text already.
    static func inline(_ members: [(String, String)]) -> String {
        "{" + members.map { "\(jsonQuoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// `[]`, or one element per line indented two spaces more than `indent` (the indent of the member
    /// that holds the array), the closing bracket at `indent`.
    static func array(_ elements: [String], indent: String) -> String {
        guard !elements.isEmpty else { return "[]" }
        return "[\n" + elements.map { indent + "  " + $0 }.joined(separator: ",\n") + "\n\(indent)]"
    }
}
