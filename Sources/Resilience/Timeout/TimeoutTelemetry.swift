import Logging
import Metrics
import Tracing
import Synchronization

/// Maps a timeout policy's events to swift-metrics and swift-log. Metrics are created once per policy:
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `resilience_timeout_timed_out_total` | counter | policy |
/// | `resilience_timeout_overrun_seconds` | timer | policy: how long a cancelled operation ran past its limit |
/// | `resilience_timeout_orphans` | gauge | policy: abandoned operations still running (``Timeout/executeDetached(context:_:)``) |
/// | `resilience_timeout_shadow_rejections_total` | counter | policy, reason (`timedOut`): calls a shadow timeout let run past their limit |
///
/// Each timeout is logged at `debug`; an overrun over 10 ms, and every orphan's end, at `warning`.
@usableFromInline
package final class TimeoutTelemetry: Sendable {
    /// Overruns up to this long are scheduling noise, not an operation ignoring cancellation.
    static let overrunWarningThreshold = Duration.milliseconds(10)

    let policyName: String
    let logger: Logger
    let timedOutCounter: Counter
    let overrun: Timer
    let orphansGauge: Gauge
    let orphans = Atomic<Int>(0)
    let shadow: ShadowRejections

    package init(policyName: String, sinks: TelemetrySinks) {
        shadow = ShadowRejections(
            metric: "resilience_timeout_shadow_rejections_total", kind: "timeout", policyName: policyName,
            reasons: [ResilienceError.Code.timedOut.description], sinks: sinks)
        self.policyName = policyName
        self.logger = sinks.logger
        let dimensions = [("policy", policyName)]
        timedOutCounter = Counter(label: "resilience_timeout_timed_out_total", dimensions: dimensions, factory: sinks.factory)
        overrun = Timer(label: "resilience_timeout_overrun_seconds", dimensions: dimensions, factory: sinks.factory)
        orphansGauge = Gauge(label: "resilience_timeout_orphans", dimensions: dimensions, factory: sinks.factory)
    }

    /// A call timed out after `limit`; `overrun` is how long its cancelled operation ran past the limit
    /// (`nil` when the call did not wait for it).
    package func timedOut(after limit: Duration, overrun: Duration?) {
        timedOutCounter.increment()
        ResilienceSpan.addEvent(ResilienceSpan.EventName.timeout, [
            ResilienceSpan.AttributeKey.policy: .string(policyName),
            ResilienceSpan.AttributeKey.timeoutSeconds: .double(limit.seconds),
        ])
        logger.debug("timed out", metadata: ["policy": "\(policyName)", "limit": "\(DurationText.format(limit))"])
        guard let overrun else { return }
        self.overrun.recordNanoseconds(overrun.clampedNanoseconds)
        if overrun > Self.overrunWarningThreshold {
            logger.warning("operation ignored cancellation and ran past its timeout", metadata: [
                "policy": "\(policyName)", "overrun": "\(DurationText.format(overrun))",
            ])
        }
    }

    /// An operation was abandoned still running.
    func orphanStarted() {
        let count = orphans.add(1, ordering: .relaxed).newValue
        orphansGauge.record(count)
    }

    /// An abandoned operation ended, `overrun` after its limit.
    func orphanEnded(overrun: Duration) {
        let count = orphans.subtract(1, ordering: .relaxed).newValue
        orphansGauge.record(count)
        self.overrun.recordNanoseconds(overrun.clampedNanoseconds)
        logger.warning("abandoned operation ended after its timeout", metadata: [
            "policy": "\(policyName)", "overrun": "\(DurationText.format(overrun))",
        ])
    }

    var orphanCount: Int { orphans.load(ordering: .relaxed) }
}
