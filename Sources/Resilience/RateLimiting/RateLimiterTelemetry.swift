import Logging
import Metrics

/// Maps the events of a rate limiter (``RateLimiter``, ``KeyedRateLimiter``, ``SlidingWindowRateLimiter``)
/// to swift-metrics and swift-log.
///
/// Metrics are created once per limiter, never per call, with the low-cardinality labels `policy` and
/// `outcome` (never a key of a keyed limiter):
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `resilience_rate_limiter_calls_total` | counter | policy, outcome (`admitted`: at once; `delayed`: after waiting; `rejected`) |
/// | `resilience_rate_limiter_wait_seconds` | timer | policy: the wait of each delayed call, as reserved |
/// | `resilience_rate_limiter_cancelled_waits_total` | counter | policy: waiting calls cancelled, their permits returned |
/// | `resilience_rate_limiter_key_limit_rejections_total` | counter | policy: new keys rejected at `maxKeys` (keyed only) |
/// | `resilience_rate_limiter_keys` | gauge | policy: keys held (keyed only; updated when a key is added or a sweep drops some) |
/// | `resilience_rate_limiter_shadow_rejections_total` | counter | policy, reason (`rateLimited`): calls a shadow limiter would have rejected |
///
/// Logged: a rejection at the key bound, at `warning`, once per run of such rejections (the first after
/// the table last had room); rejections of calls are counted, not logged.
///
/// When the factory is swift-metrics' no-op handler (no backend bootstrapped), the per-call counters
/// are skipped entirely, as in ``CircuitBreaker``.
@usableFromInline
final class RateLimiterTelemetry: Sendable {
    let policyName: String
    let logger: Logger
    /// Whether per-call outcomes are counted (false for the no-op metrics factory).
    @usableFromInline let countsCalls: Bool
    @usableFromInline let admittedCounter: Counter
    let delayedCounter: Counter
    let rejectedCounter: Counter
    let wait: Timer
    let cancelledCounter: Counter
    let keyLimitCounter: Counter
    let keysGauge: Gauge
    @usableFromInline let shadow: ShadowRejections

    init(policyName: String, sinks: TelemetrySinks) {
        let factory = sinks.factory
        shadow = ShadowRejections(
            metric: "resilience_rate_limiter_shadow_rejections_total", kind: "rate limiter", policyName: policyName,
            reasons: [ResilienceError.Code.rateLimited.description], sinks: sinks)
        self.policyName = policyName
        logger = sinks.logger
        countsCalls = sinks.recordsMetrics
        func calls(_ outcome: String) -> Counter {
            Counter(
                label: "resilience_rate_limiter_calls_total", dimensions: [("policy", policyName), ("outcome", outcome)],
                factory: factory)
        }
        admittedCounter = calls("admitted")
        delayedCounter = calls("delayed")
        rejectedCounter = calls("rejected")
        let policy = [("policy", policyName)]
        wait = Timer(label: "resilience_rate_limiter_wait_seconds", dimensions: policy, factory: factory)
        cancelledCounter = Counter(
            label: "resilience_rate_limiter_cancelled_waits_total", dimensions: policy, factory: factory)
        keyLimitCounter = Counter(
            label: "resilience_rate_limiter_key_limit_rejections_total", dimensions: policy, factory: factory)
        keysGauge = Gauge(label: "resilience_rate_limiter_keys", dimensions: policy, factory: factory)
    }

    /// A call was admitted at once.
    @inlinable
    func admitted() {
        if countsCalls { admittedCounter.increment() }
    }

    /// A call got a reservation `delay` ahead.
    @usableFromInline
    func delayed(by delay: Duration) {
        delayedCounter.increment()
        wait.recordNanoseconds(delay.clampedNanoseconds)
    }

    /// A call was rejected (its permits not available within its wait).
    @usableFromInline
    func rejected() {
        rejectedCounter.increment()
    }

    /// A waiting call was cancelled and its reservation returned.
    @usableFromInline
    func cancelledWait() {
        cancelledCounter.increment()
    }

    /// A keyed limiter's key table changed with a request that got `decision`: the number of keys held,
    /// and a new key rejected at the key bound (logged for the first of a run of such rejections).
    @usableFromInline
    func keyTableChanged(_ change: RateLimitAdmission.KeyTableChange, decision: RateLimitDecision) {
        keysGauge.record(change.keyCount)
        guard change.atKeyLimit, case .rejected(let retryAfter) = decision else { return }
        keyLimitCounter.increment()
        guard change.firstAtKeyLimit else { return }
        logger.warning("rate limiter holds maxKeys keys, all still refilling: new keys are rejected", metadata: [
            "policy": "\(policyName)", "maxKeys": "\(change.maxKeys)",
            "retryAfter": "\(DurationText.format(retryAfter))",
        ])
    }
}
