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
        "Median latency of every call, whatever its end, retries included.",
        "99th percentile latency of every call.",
        "99.9th percentile latency of every call.",
        "Calls the dependency received per call the clients made (1.00× means no extra load).",
        "From the start of the outage to the first call a policy rejected at once (— when none did).",
        "From the end of the outage to the first call that succeeded after it (— when none did).",
        "Calls a policy ended (timeouts, breaker, shedder, limiter, bulkhead rejections).",
        "Calls the dependency answered 503 at once (every worker busy and its queue full).",
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
