import Logging
import Metrics
import Synchronization

/// What a policy in shadow mode (``PolicyMode/shadow``) records for each call it would have refused:
/// the counter `resilience_<policy>_shadow_rejections_total` (labels `policy` and `reason`), and a log
/// line at `notice`, at most one a second per policy with the number of such calls since the last one
/// (a shadow breaker open during an outage would otherwise log every call).
@usableFromInline
final class ShadowRejections: Sendable {
    let counters: [String: Counter]
    let logger: Logger
    let policyName: String
    let kind: String
    /// Shadow rejections not yet logged, and when the last line was logged (nanoseconds of the
    /// continuous clock since `start`; `Int.min` before the first).
    let unlogged = Atomic<Int>(0)
    let lastLogged = Atomic<Int>(.min)
    let start = ContinuousClock.now

    /// - Parameters:
    ///   - metric: the counter's label, e.g. `resilience_circuit_breaker_shadow_rejections_total`.
    ///   - kind: the policy's kind in log lines (`circuit breaker`).
    ///   - reasons: the values of the `reason` label.
    init(metric: String, kind: String, policyName: String, reasons: [String], sinks: TelemetrySinks) {
        var counters: [String: Counter] = [:]
        for reason in reasons {
            counters[reason] = Counter(
                label: metric, dimensions: [("policy", policyName), ("reason", reason)], factory: sinks.factory)
        }
        self.counters = counters
        self.logger = sinks.logger
        self.policyName = policyName
        self.kind = kind
    }

    /// Counts a call the policy would have refused for `reason`, and logs it (rate-limited).
    @usableFromInline
    func record(_ reason: String) {
        counters[reason]?.increment()
        unlogged.wrappingAdd(1, ordering: .relaxed)
        let now = Int((ContinuousClock.now - start).components.seconds)
        let last = lastLogged.load(ordering: .relaxed)
        guard last == .min || now > last,
              lastLogged.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged
        else { return }
        let calls = unlogged.exchange(0, ordering: .relaxed)
        logger.notice(
            "shadow \(kind) would have refused calls; they ran",
            metadata: ["policy": "\(policyName)", "reason": "\(reason)", "calls": "\(calls)"])
    }
}
