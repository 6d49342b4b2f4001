import Logging
import Metrics

/// Where a policy's logs and metrics go: the logger and metrics factory its creator passed, or the
/// library's defaults. The one place those defaults are chosen:
///
/// - no logger: a logger that logs nothing (the library never bootstraps swift-log, and never logs
///   through a global logger behind its user's back);
/// - no metrics factory: the factory `MetricsSystem` was bootstrapped with when the policy was created
///   (swift-metrics' no-op handler if nothing was bootstrapped).
///
/// Each policy takes `logger: Logger? = nil, metricsFactory: (any MetricsFactory)? = nil` and hands them
/// to its telemetry as `TelemetrySinks(logger:metricsFactory:)`. Metrics objects are created once per
/// policy, never per call.
@usableFromInline
package struct TelemetrySinks: Sendable {
    /// The logger to log to.
    package let logger: Logger
    /// The factory to create metrics with.
    package let factory: any MetricsFactory
    /// Whether metrics go anywhere: `false` for swift-metrics' no-op handler, so that a policy can skip
    /// per-call counting entirely when nothing would record it.
    package let recordsMetrics: Bool

    package init(logger: Logger?, metricsFactory: (any MetricsFactory)?) {
        self.logger = logger ?? Logger(label: "swift-resilience", factory: { _ in SwiftLogNoOpLogHandler() })
        factory = metricsFactory ?? MetricsSystem.factory
        recordsMetrics = !(factory is NOOPMetricsHandler)
    }
}

extension Duration {
    /// The whole nanoseconds of this duration, clamped to `0...Int64.max`: what swift-metrics'
    /// `recordNanoseconds` takes (a negative duration records 0, an enormous one `Int64.max`).
    @usableFromInline
    var clampedNanoseconds: Int64 {
        let value = attoseconds / 1_000_000_000
        return value > Int128(Int64.max) ? .max : Int64(max(value, 0))
    }
}
