import Resilience
import ResilienceConfiguration

/// One policy's line of the comparison table, as text cells: shared by the terminal table
/// (``ComparisonTable``) and the HTML report (``SimulationReport``) so both show the same numbers.
struct ComparisonRow: Equatable {
    /// The column headings, in order.
    static let headings = [
        "policy", "goodput %", "p50 ms", "p99 ms", "p99.9 ms", "amplification", "detect s", "recover s", "rejected",
        "dep 503s",
    ]
    /// What each column means (the HTML table's tooltips and the documentation).
    static let explanations = [
        "The policy the clients used.",
        "Calls that succeeded, as a percentage of the calls made (rounded down: 100.0 means every call succeeded).",
        "Median latency of every call, whatever its end (success, failure, timeout or rejection), retries and their delays included, in milliseconds.",
        "99th percentile latency of every call, in milliseconds.",
        "99.9th percentile latency of every call, in milliseconds.",
        "Attempts the dependency received per call the clients made (1.00× means no extra load; below 1, policies spared it calls).",
        "Seconds from the start of the first outage (the first down or flapping phase) to the first call a policy rejected at once, a timeout not counted (— without an outage, or when no policy rejected one).",
        "Seconds from the end of that outage to the first call that succeeded after it (— without an outage, or when none did; without protection it is about one service time, though nothing was detected).",
        "Calls a policy ended: timed out, or rejected by the circuit breaker, load shedder, rate limiter, concurrency limit or bulkhead.",
        "Attempts the dependency answered 503 at once because it was overloaded (every worker busy and its queue full); an attempt refused while it is down is a failure, not a 503.",
    ]
    /// The cells, in the order of ``headings``.
    var cells: [String]

    init(_ result: SimulationResult) {
        let goodput = result.calls == 0 ? 100 : Double(result.succeeded) * 100 / Double(result.calls)
        let hasOutage = result.outageStart != nil
        cells = [
            result.policy,
            ReportNumber.fixedRoundedDown(goodput, decimals: 1),
            ReportNumber.milliseconds(result.latency.p50),
            ReportNumber.milliseconds(result.latency.p99),
            ReportNumber.milliseconds(result.latency.p999),
            ReportNumber.fixedRatio(result.dependency.received, result.calls, decimals: 2) + "×",
            hasOutage ? result.timeToDetect.map(ReportNumber.seconds) ?? "—" : "—",
            hasOutage ? result.timeToRecover.map(ReportNumber.seconds) ?? "—" : "—",
            String(result.endedByPolicyTotal),
            String(result.dependency.overloaded),
        ]
    }
}
