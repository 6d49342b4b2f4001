import Logging
import Metrics
import Tracing

/// Maps a circuit breaker's events to swift-metrics and swift-log.
///
/// Metrics are created once per breaker, never per call, with the low-cardinality labels `policy`,
/// `outcome`, `reason`, `from`, `to` and `state`:
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `resilience_circuit_breaker_calls_total` | counter | policy, outcome (`success`, `failure`, `ignored`) |
/// | `resilience_circuit_breaker_rejections_total` | counter | policy, reason (`circuitOpen`, `halfOpenFull`) |
/// | `resilience_circuit_breaker_transitions_total` | counter | policy, from, to |
/// | `resilience_circuit_breaker_state` | gauge, 1 for the current state and 0 for the others | policy, state |
/// | `resilience_circuit_breaker_shadow_rejections_total` | counter: calls a shadow breaker would have rejected | policy, reason |
/// | `resilience_circuit_breaker_failure_ratio`, `resilience_circuit_breaker_slow_call_ratio` | gauge, the window's ratios | policy |
/// | `resilience_circuit_breaker_open_seconds` | timer: each period spent open | policy |
///
/// State changes are logged (`notice` when opening, `info` otherwise) with the metadata `policy`, `from`,
/// `to` and `reason`.
///
/// When the factory is swift-metrics' no-op handler (no backend bootstrapped), the per-call counters
/// are skipped entirely: they cost about a fifth of a closed call and would record nothing.
@usableFromInline
final class CircuitBreakerTelemetry: Sendable {
    let logger: Logger
    /// Whether per-call outcomes are counted (false for the no-op metrics factory).
    @usableFromInline let countsOutcomes: Bool
    let outcomeCounters: [Counter]          // indexed like CallOutcome.allCases
    let rejectionCounters: [ResilienceError.Code: Counter]
    let transitionCounters: [CircuitState: [CircuitState: Counter]]
    let stateGauges: [CircuitState: Gauge]
    let failureRatioGauge: Gauge
    let slowCallRatioGauge: Gauge
    let openPeriods: Timer
    let policyName: String
    /// Calls a breaker in shadow mode would have rejected.
    let shadow: ShadowRejections

    init(policyName: String, sinks: TelemetrySinks, initialState: CircuitState) {
        shadow = ShadowRejections(
            metric: "resilience_circuit_breaker_shadow_rejections_total", kind: "circuit breaker", policyName: policyName,
            reasons: [ResilienceError.Code.circuitOpen.description, ResilienceError.Code.halfOpenFull.description], sinks: sinks)
        self.policyName = policyName
        self.logger = sinks.logger
        self.countsOutcomes = sinks.recordsMetrics
        outcomeCounters = CallOutcome.allCases.map { outcome in
            Counter(
                label: "resilience_circuit_breaker_calls_total",
                dimensions: [("policy", policyName), ("outcome", outcome.rawValue)], factory: sinks.factory)
        }
        var rejections: [ResilienceError.Code: Counter] = [:]
        for code in [ResilienceError.Code.circuitOpen, .halfOpenFull] {
            rejections[code] = Counter(
                label: "resilience_circuit_breaker_rejections_total",
                dimensions: [("policy", policyName), ("reason", code.description)], factory: sinks.factory)
        }
        rejectionCounters = rejections
        var transitions: [CircuitState: [CircuitState: Counter]] = [:]
        for from in CircuitState.allCases {
            for to in CircuitState.allCases where to != from {
                transitions[from, default: [:]][to] = Counter(
                    label: "resilience_circuit_breaker_transitions_total",
                    dimensions: [("policy", policyName), ("from", from.rawValue), ("to", to.rawValue)],
                    factory: sinks.factory)
            }
        }
        transitionCounters = transitions
        var gauges: [CircuitState: Gauge] = [:]
        for state in CircuitState.allCases {
            let gauge = Gauge(
                label: "resilience_circuit_breaker_state",
                dimensions: [("policy", policyName), ("state", state.rawValue)], factory: sinks.factory)
            gauge.record(state == initialState ? 1 : 0)
            gauges[state] = gauge
        }
        stateGauges = gauges
        failureRatioGauge = Gauge(
            label: "resilience_circuit_breaker_failure_ratio", dimensions: [("policy", policyName)], factory: sinks.factory)
        slowCallRatioGauge = Gauge(
            label: "resilience_circuit_breaker_slow_call_ratio", dimensions: [("policy", policyName)], factory: sinks.factory)
        openPeriods = Timer(
            label: "resilience_circuit_breaker_open_seconds", dimensions: [("policy", policyName)], factory: sinks.factory)
        failureRatioGauge.record(0)
        slowCallRatioGauge.record(0)
    }

    /// Records the open period `machine` kept when it left `open`, if any (under the breaker's lock).
    @usableFromInline
    func recordOpenPeriod(of machine: inout CircuitBreakerStateMachine) {
        if let period = machine.takeOpenPeriod() { openPeriods.recordNanoseconds(period.clampedNanoseconds) }
    }

    /// Records the window's ratios at `now` (under the breaker's lock, after each locked update).
    @usableFromInline
    func recordRatios(of machine: inout CircuitBreakerStateMachine, now: ClockOffset) {
        let ratios = machine.windowRatios(now: now)
        failureRatioGauge.record(ratios.failure)
        slowCallRatioGauge.record(ratios.slowCall)
    }

    /// Counts one call's outcome; a no-op without a metrics backend.
    @inlinable
    func recorded(_ outcome: CallOutcome) {
        if countsOutcomes { count(outcome) }
    }

    @usableFromInline
    func count(_ outcome: CallOutcome) {
        let index = switch outcome {
        case .success: 0
        case .failure: 1
        case .ignored: 2
        }
        outcomeCounters[index].increment()
    }

    @usableFromInline
    func rejected(_ code: ResilienceError.Code) {
        rejectionCounters[code]?.increment()
    }

    @usableFromInline
    func shadowRejected(_ code: ResilienceError.Code) {
        shadow.record(code.description)
    }

    @usableFromInline
    func changed(_ transition: CircuitTransition) {
        transitionCounters[transition.from]?[transition.to]?.increment()
        ResilienceSpan.addEvent(ResilienceSpan.EventName.stateChange, [
            ResilienceSpan.AttributeKey.policy: .string(policyName),
            ResilienceSpan.AttributeKey.from: .string("\(transition.from)"), ResilienceSpan.AttributeKey.to: .string("\(transition.to)"),
        ])
        stateGauges[transition.from]?.record(0)
        stateGauges[transition.to]?.record(1)
        let level: Logger.Level = transition.to == .open || transition.to == .forcedOpen ? .notice : .info
        logger.log(
            level: level, "circuit breaker state changed",
            metadata: [
                "policy": "\(policyName)", "from": "\(transition.from)", "to": "\(transition.to)",
                "reason": "\(transition.reason)",
            ])
    }
}
