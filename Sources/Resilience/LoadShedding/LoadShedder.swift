import Logging
import Metrics

/// Drops the least important calls first when the service is overloaded: by priority, on the calls
/// in flight through it, on a queue depth, and on pressure signals such as CPU and memory.
///
/// ```swift
/// let cpu = PressureGauge(name: "cpu"), memory = PressureGauge(name: "memory")
/// let shedder = LoadShedder(
///     name: "api",
///     configuration: LoadShedderConfiguration(
///         inFlight: LoadShedThresholds(low: 200, normal: 400, high: 600),
///         pressure: [
///             "cpu": LoadShedThresholds(low: 0.75, normal: 0.90, high: 0.97),
///             "memory": LoadShedThresholds(low: 0.85, normal: 0.92, high: nil),
///         ]),
///     pressure: [cpu, memory])
/// let reader = try ProcessPressureReader()          // memory as a fraction of the cgroup's limit
/// let sampler = PressureSampler(
///     interval: .seconds(1), sources: [.processCPU(reader, into: cpu), .processMemory(reader, into: memory)])
/// // add `sampler` to your ServiceGroup; then, per request:
/// try await shedder.execute(context: ResilienceContext(priority: .high)) { _ in try await handle(request) }
/// ```
///
/// The call's priority is ``ResilienceContext/priority``. The rules are those of
/// `LoadShedderStateMachine`: critical calls are always admitted; other calls are shed as soon as
/// one signal is at or above their priority's threshold; a shed call throws a ``ResilienceError`` with
/// code ``ResilienceError/Code/loadShed``, a ``ResilienceError/retryAfter`` hint (see
/// ``LoadShedderConfiguration``) and a ``LoadShedRejection`` as its underlying error, without running.
///
/// The shedder never measures anything itself: it reads the latest value of each ``PressureGauge``
/// (one atomic load), which a ``PressureSampler`` or your own code refreshes in the background. Every
/// configured signal must have its gauge, and every gauge its thresholds.
///
/// Cost: one short lock to admit and one to release, whatever the outcome, the thrown error or the
/// cancellation; no allocation and no clock read on the admitted path. The operation runs on the
/// caller's executor (`nonisolated(nonsending)`). The clock is read only when a call is shed, to space
/// the log lines.
///
/// Telemetry (see `LoadShedderTelemetry`): `resilience_load_shedder_shed_total` by priority and
/// reason, `resilience_load_shedder_admitted_total` by priority, the `resilience_load_shedder_in_flight`
/// gauge; a `notice` line when shedding starts and at most one summary line per 10 s while it goes on.
public final class LoadShedder<C: Clock>: ResiliencePolicy where C.Duration == Duration {
    @usableFromInline
    struct Shared: ~Copyable {
        @usableFromInline var machine: LoadShedderStateMachine
        /// When the last shed log line was written, and the calls shed since without a line.
        @usableFromInline var lastLog: C.Instant?
        @usableFromInline var shedSinceLog = 0

        init(machine: LoadShedderStateMachine) { self.machine = machine }
    }

    /// The signals the state machine reads: the shedder's gauges, in its signal order.
    @usableFromInline
    struct GaugeSignals: LoadShedSignalSource, Sendable {
        @usableFromInline let queueDepthGauge: PressureGauge?
        @usableFromInline let pressureGauges: [PressureGauge]

        @inlinable var queueDepth: Double? { queueDepthGauge?.reading }

        @inlinable func pressure(ofSignal index: Int, named name: String) -> Double? {
            pressureGauges[index].reading
        }

        @inlinable func refreshInterval(ofSignal index: Int, named name: String) -> Duration? {
            pressureGauges[index].refreshInterval
        }
    }

    /// Shed calls are logged at most once per this interval (the first one at once).
    public static var logInterval: Duration { .seconds(10) }

    /// The name used in errors, metric labels and logs. Keep it low-cardinality.
    public let name: String
    /// The configuration the shedder runs with: the one it was created with, or the last one
    /// ``reconfigure(_:)`` applied.
    public var configuration: LoadShedderConfiguration { shared.withLock { $0.machine.configuration } }

    @usableFromInline let shared: Locked<Shared>
    @usableFromInline let signals: GaugeSignals
    @usableFromInline let clock: C
    @usableFromInline let telemetry: LoadShedderTelemetry
    @usableFromInline let onShed: (@Sendable (LoadShedRejection) -> Void)?

    /// Creates a load shedder.
    /// - Parameters:
    ///   - name: a low-cardinality name for errors, metrics and logs.
    ///   - configuration: thresholds and retry hint; validated here.
    ///   - queueDepth: the gauge of the queue depth; required when, and only when, the configuration
    ///     has `queueDepth` thresholds.
    ///   - pressure: the pressure gauges; exactly one per signal of `configuration.pressure`, matched by
    ///     ``PressureGauge/name``.
    ///   - clock: the clock that spaces the log lines; `ContinuousClock` by default.
    ///   - logger: receives a `notice` line when shedding starts and summaries while it goes on; by
    ///     default nothing is logged.
    ///   - metricsFactory: where the metrics go; by default the bootstrapped `MetricsSystem` factory.
    ///   - onShed: called with every shed call, synchronously, outside the lock; keep it short.
    ///
    /// An invalid configuration stops the process with a message naming the key: a configuration written
    /// in code must be valid (see ``ConfigurationError``).
    public init(
        name: String,
        configuration: LoadShedderConfiguration,
        queueDepth: PressureGauge? = nil,
        pressure: [PressureGauge] = [],
        clock: C = ContinuousClock(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil,
        onShed: (@Sendable (LoadShedRejection) -> Void)? = nil
    ) {
        let (machine, ordered) = ConfigurationError.required("LoadShedder \"\(name)\"") { () throws(ConfigurationError) in
            try Self.checked(configuration, queueDepth: queueDepth, pressure: pressure)
        }
        self.name = name
        self.signals = GaugeSignals(queueDepthGauge: queueDepth, pressureGauges: ordered)
        self.clock = clock
        self.onShed = onShed
        self.telemetry = LoadShedderTelemetry(
            policyName: name, reasons: [.inFlight, .queueDepth] + machine.pressureSignalNames.map(LoadShedReason.pressure),
            sinks: TelemetrySinks(logger: logger, metricsFactory: metricsFactory))
        self.shared = Locked(Shared(machine: machine))
    }

    /// Checks `configuration` and the gauges as the initializer does, for ones that come from outside
    /// the code: every threshold in range, a gauge for each signal with thresholds and thresholds for
    /// each gauge.
    /// - Throws: ``ConfigurationError`` naming the key (`inFlight.normal`, `queueDepth`, `pressure.cpu`).
    public static func validate(
        _ configuration: LoadShedderConfiguration, queueDepth: PressureGauge? = nil, pressure: [PressureGauge] = []
    ) throws(ConfigurationError) {
        _ = try checked(configuration, queueDepth: queueDepth, pressure: pressure)
    }

    /// The state machine and the pressure gauges in the machine's signal order, once checked.
    static func checked(
        _ configuration: LoadShedderConfiguration, queueDepth: PressureGauge?, pressure: [PressureGauge]
    ) throws(ConfigurationError) -> (LoadShedderStateMachine, [PressureGauge]) {
        let machine = try LoadShedderStateMachine(configuration: configuration)
        switch (configuration.queueDepth, queueDepth) {
        case (.some, nil):
            throw ConfigurationError(
                key: "queueDepth", value: "thresholds without a gauge",
                allowed: "a queueDepth gauge passed to the LoadShedder, or no queueDepth thresholds")
        case (nil, .some(let gauge)):
            throw ConfigurationError(
                key: "queueDepth", value: "nil, with a gauge named \"\(gauge.name)\"",
                allowed: "thresholds for the queueDepth gauge passed to the LoadShedder")
        default: break
        }
        var byName: [String: PressureGauge] = [:]
        for gauge in pressure {
            try ConfigurationError.check(
                byName[gauge.name] == nil, "pressure.\(gauge.name)", "two gauges named \"\(gauge.name)\"",
                "one gauge per signal")
            try ConfigurationError.check(
                configuration.pressure[gauge.name] != nil, "pressure.\(gauge.name)", "nil, with a gauge of that name",
                "thresholds for every gauge passed to the LoadShedder")
            byName[gauge.name] = gauge
        }
        var ordered: [PressureGauge] = []
        for signal in machine.pressureSignalNames {
            guard let gauge = byName[signal] else {
                throw ConfigurationError(
                    key: "pressure.\(signal)", value: "thresholds without a gauge",
                    allowed: "a PressureGauge named \"\(signal)\" passed to the LoadShedder")
            }
            ordered.append(gauge)
        }
        return (machine, ordered)
    }

    // MARK: - Executing

    /// Runs `operation` if the shedder admits a call of `context.priority`, and releases its place when
    /// the operation returns, throws or is cancelled.
    /// - Returns: what `operation` returned.
    /// - Throws: what `operation` threw, unchanged; or a ``ResilienceError`` with code
    ///   ``ResilienceError/Code/loadShed`` when the call was shed without running.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        let permit = try admit(priority: context.priority)
        defer { release(permit) }
        return try await operation(context)
    }

    /// Runs `operation` as a call of `priority`: see ``execute(context:_:)``.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        priority: Priority,
        _ operation: nonisolated(nonsending) () async throws -> Value
    ) async throws -> Value {
        let permit = try admit(priority: priority)
        defer { release(permit) }
        return try await operation()
    }

    /// Admits a call of `priority`, or throws its rejection. Pair every permit with ``release(_:)``.
    ///
    /// For callers that cannot wrap the work in a closure (a server handler that answers in another
    /// callback); prefer ``execute(context:_:)``, which releases on every path.
    @inlinable
    public func admit(priority: Priority) throws(ResilienceError) -> LoadShedPermit {
        let outcome = shared.withLock { shared -> (decision: LoadShedderStateMachine.Decision, log: ShedLogLine?, shadow: Bool) in
            let decision = shared.machine.admit(priority: priority, signals: signals)
            guard case .admitted = decision else {
                if shared.machine.configuration.mode == .shadow { return (decision, nil, true) }
                return (decision, shedLogLine(&shared), false)
            }
            if telemetry.recordsPerCall { telemetry.admitted(priority, inFlight: shared.machine.inFlight) }
            return (decision, nil, false)
        }
        switch outcome.decision {
        case .admitted(let permit):
            return permit
        case .shed(let reason, let retryAfter):
            if outcome.shadow {
                // Shadow mode: the call runs, not counted in flight (its permit releases nothing).
                telemetry.shadow.record(reason.label)
                return LoadShedPermit(priority: priority, counted: false)
            }
            throw shed(priority: priority, reason: reason, retryAfter: retryAfter, log: outcome.log!)
        }
    }

    /// Ends an admitted call.
    /// - Precondition: `permit` came from this shedder and was not released yet.
    @inlinable
    public func release(_ permit: LoadShedPermit) {
        guard permit.counted else { return }
        shared.withLock { shared in
            shared.machine.release(permit)
            if telemetry.recordsPerCall { telemetry.released(inFlight: shared.machine.inFlight) }
        }
    }

    // MARK: - Reconfiguring

    /// Runs with `configuration` from now on: calls in flight stay counted, and the new thresholds
    /// decide the next admission. The signals cannot change (the gauges were given at creation).
    /// - Throws: ``ConfigurationError`` naming the invalid key; the shedder is then unchanged.
    public func reconfigure(_ configuration: LoadShedderConfiguration) throws(ConfigurationError) {
        try shared.withLock { (shared) throws(ConfigurationError) in try shared.machine.reconfigure(configuration) }
    }

    // MARK: - Reading

    /// The calls admitted and not yet released.
    public var inFlight: Int { shared.withLock { $0.machine.inFlight } }

    /// A snapshot of the counts.
    public var stats: LoadShedderStats { shared.withLock { $0.machine.stats } }

    // MARK: - Internals

    /// What a shed call met, decided under the lock: the calls in flight, and whether to log.
    @usableFromInline
    struct ShedLogLine: Sendable {
        @usableFromInline let inFlight: Int
        /// The calls shed since the previous line, this one included; 0 when no line is due.
        @usableFromInline let shedCalls: Int
        @usableFromInline let first: Bool
    }

    /// Counts a shed call for the log, and says whether a line is due: the first shed call, then at
    /// most one line per ``logInterval``, counting the calls shed since the previous line.
    @usableFromInline
    func shedLogLine(_ shared: inout Shared) -> ShedLogLine {
        let now = clock.now
        let inFlight = shared.machine.inFlight
        shared.shedSinceLog += 1
        if let last = shared.lastLog, now < last.advanced(by: Self.logInterval) {
            return ShedLogLine(inFlight: inFlight, shedCalls: 0, first: false)
        }
        defer {
            shared.lastLog = now
            shared.shedSinceLog = 0
        }
        return ShedLogLine(inFlight: inFlight, shedCalls: shared.shedSinceLog, first: shared.lastLog == nil)
    }

    /// The rejection of a shed call, after telemetry and the hook have seen it.
    @usableFromInline
    func shed(priority: Priority, reason: LoadShedReason, retryAfter: Duration?, log: ShedLogLine) -> ResilienceError {
        let rejection = LoadShedRejection(
            priority: priority, reason: reason, retryAfter: retryAfter, inFlight: log.inFlight)
        telemetry.shed(rejection)
        if log.shedCalls > 0 {
            telemetry.logShedding(rejection, shedCalls: log.shedCalls, first: log.first, interval: Self.logInterval)
        }
        onShed?(rejection)
        ResilienceSpan.rejected(policy: name, code: .loadShed)
        return ResilienceError(code: .loadShed, policyName: name, retryAfter: retryAfter, underlyingError: rejection)
    }
}

/// A snapshot of a load shedder's counts.
public struct LoadShedderStats: Sendable, Hashable {
    /// Calls admitted and not yet released, all priorities.
    public var inFlight: Int
    /// Calls admitted and not yet released, by priority (every priority present).
    public var inFlightByPriority: [Priority: Int]
    /// Calls admitted since creation, by priority (every priority present).
    public var admitted: [Priority: Int]
    /// Calls shed since creation, by priority (every priority present; critical is always 0).
    public var shed: [Priority: Int]
    /// Calls shed since creation, by reason (reasons that shed nothing are absent).
    public var shedByReason: [LoadShedReason: Int]
}

/// A call admitted by a ``LoadShedder``: give it back with ``LoadShedder/release(_:)`` when the call
/// ends, exactly once.
public struct LoadShedPermit: Sendable, Hashable {
    /// The admitted call's priority.
    public let priority: Priority
    /// Whether the call counts as in flight: `false` for a call a shedder in shadow mode would have
    /// shed, which runs without being counted.
    @usableFromInline let counted: Bool

    @usableFromInline
    init(priority: Priority, counted: Bool = true) {
        self.priority = priority
        self.counted = counted
    }
}

extension LoadShedderStats: CustomStringConvertible {
    /// One line for a log, priorities from low to critical, for example `12 in flight (low 0, normal 9,
    /// high 3, critical 0); admitted low 10, normal 900, ...; shed low 4, ...; shed by in_flight 4`.
    public var description: String {
        func byPriority(_ counts: [Priority: Int]) -> String {
            Priority.allCases.map { "\($0) \(counts[$0] ?? 0)" }.joined(separator: ", ")
        }
        let reasons = shedByReason.sorted { $0.key.description < $1.key.description }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return "\(inFlight) in flight (\(byPriority(inFlightByPriority))); admitted \(byPriority(admitted)); "
            + "shed \(byPriority(shed)); shed by \(reasons.isEmpty ? "nothing" : reasons)"
    }
}
