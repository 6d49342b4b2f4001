import Logging
import Metrics
import ServiceLifecycle

/// A background service that refreshes pressure gauges at a fixed interval, so that load shedders read
/// a recent value without measuring anything per call.
///
/// ```swift
/// let sampler = PressureSampler(interval: .milliseconds(500), sources: [.processCPU(reader, into: cpu)])
/// let group = ServiceGroup(services: [server, sampler], logger: logger)
/// try await group.run()
/// ```
///
/// ``run()`` reads every source at once, then at each multiple of `interval` on the clock after that
/// (a tick missed because a read was slow is skipped, not caught up). It returns when its task is
/// cancelled or when the service group shuts down gracefully; its gauges are then marked unavailable,
/// so that a stopped sampler does not leave shedders shedding on its last values. Creating the sampler
/// sets each gauge's ``PressureGauge/refreshInterval`` to `interval`, which shedders use for their
/// retry hint.
///
/// A source that throws makes its gauge unavailable until it reads again; its first failure is
/// logged at `warning`, the ones right after at `debug`, and its recovery at `info`. Telemetry: see
/// `PressureSamplerTelemetry`.
public final class PressureSampler<C: Clock>: Service where C.Duration == Duration {
    /// The time between two readings.
    public let interval: Duration
    /// The signals refreshed.
    public let sources: [PressureSource]

    let clock: C
    let telemetry: PressureSamplerTelemetry
    /// Whether each source's last read failed.
    let failing: Locked<[Bool]>

    /// The shortest accepted interval.
    public static var minimumInterval: Duration { .milliseconds(1) }
    /// The longest accepted interval.
    public static var maximumInterval: Duration { .seconds(3_600) }

    /// A sampler of `sources` every `interval` on `clock`.
    /// - Parameters:
    ///   - interval: the time between two readings; in [1 ms, 1 h]. Default: 1 s.
    ///   - sources: the signals to refresh; at least one, each gauge at most once.
    ///   - clock: the clock the sampler waits on; `ContinuousClock` by default.
    ///   - logger: receives failures and recoveries of sources; by default nothing is logged.
    ///   - metricsFactory: where the readings and failures go; by default the bootstrapped factory.
    ///
    /// An invalid configuration stops the process with a message naming the key: a configuration written
    /// in code must be valid (see ``ConfigurationError``).
    public init(
        interval: Duration = .seconds(1),
        sources: [PressureSource],
        clock: C = ContinuousClock(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        ConfigurationError.required("PressureSampler") { () throws(ConfigurationError) in
            try Self.validate(interval: interval, sources: sources)
        }
        self.interval = interval
        self.sources = sources
        self.clock = clock
        self.failing = Locked(Array(repeating: false, count: sources.count))
        self.telemetry = PressureSamplerTelemetry(
            signals: sources.map(\.gauge.name),
            sinks: TelemetrySinks(logger: logger, metricsFactory: metricsFactory))
        for source in sources { source.gauge.refreshInterval = interval }
    }

    /// Checks `interval` and `sources` as the initializer does, for ones that come from outside the code.
    /// - Throws: ``ConfigurationError`` naming `interval` (1ms...1h) or `sources` (at least one, each
    ///   gauge in one source).
    public static func validate(interval: Duration, sources: [PressureSource]) throws(ConfigurationError) {
        try ConfigurationError.check(
            interval >= Self.minimumInterval && interval <= Self.maximumInterval, "interval",
            DurationText.format(interval), "1ms...1h")
        try ConfigurationError.check(!sources.isEmpty, "sources", "[]", "at least one source")
        var seen: Set<ObjectIdentifier> = []
        for source in sources {
            try ConfigurationError.check(
                seen.insert(ObjectIdentifier(source.gauge)).inserted, "sources",
                "the gauge \"\(source.gauge.name)\" twice", "each gauge in one source")
        }
    }

    /// Samples until the task is cancelled or the service group shuts down gracefully, then marks the
    /// gauges unavailable. Never throws: a failing source is logged and counted, and sampling goes on.
    public func run() async {
        let loop = Task { await self.sampleUntilCancelled() }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await loop.value
            } onGracefulShutdown: {
                loop.cancel()
            }
        } onCancel: {
            loop.cancel()
        }
        for source in sources { source.gauge.markUnavailable() }
    }

    /// Reads every source once and updates its gauge.
    public func sampleOnce() {
        for (index, source) in sources.enumerated() {
            let gauge = source.gauge
            do {
                if let value = try source.read() {
                    try gauge.record(value)
                    telemetry.recorded(value, signal: index)
                }
                let recovered = failing.withLock { failing in
                    defer { failing[index] = false }
                    return failing[index]
                }
                if recovered { telemetry.recovered(signal: index) }
            } catch {
                gauge.markUnavailable()
                let first = failing.withLock { failing in
                    defer { failing[index] = true }
                    return !failing[index]
                }
                telemetry.failed(signal: index, error: error, first: first)
            }
        }
    }

    func sampleUntilCancelled() async {
        var next = clock.now
        while !Task.isCancelled {
            sampleOnce()
            next = next.advanced(by: interval)
            let now = clock.now
            while next <= now { next = next.advanced(by: interval) }
            do {
                try await clock.sleep(until: next, tolerance: nil)
            } catch {
                return
            }
        }
    }
}
