import Logging
import Metrics
import Synchronization

/// A circuit breaker: stops calling a dependency that keeps failing, and probes it for recovery.
///
/// ```swift
/// let breaker = CircuitBreaker(name: "payments")          // defaults: see CircuitBreakerConfiguration
/// do {
///     let receipt = try await breaker.execute { try await payments.charge(order) }
/// } catch let error as ResilienceError where error.code == .circuitOpen {
///     // fail fast; error.retryAfter says how long the break still lasts
/// }
/// ```
///
/// The logic lives in `CircuitBreakerStateMachine` (see its rules); this class is a thin shell that
/// reads the clock, holds a lock only around the state machine, runs the operation outside the lock,
/// and forwards events to observers, swift-metrics and swift-log.
///
/// Cost: in closed state a call is admitted with one atomic load, and a successful call is counted with
/// one compare-and-exchange, both without the lock (see `CircuitBreakerFastPath`); the counted successes
/// are handed to the state machine the next time anything takes the lock, so stats and trips see them
/// exactly as if each had been recorded. Failures, ignored outcomes and every other state take one short
/// lock. The clock is read only where the configuration needs it: at the end of the call for a time
/// window, at both ends when slow-call detection is on, never for a successful call in a count window
/// without slow-call detection. The operation runs on the caller's executor (`nonisolated(nonsending)`),
/// so a `@MainActor` caller pays no hop. No allocation per call.
///
/// Observers (``addStateObserver(_:)`` and ``stateChanges(bufferingPolicy:)`` for state changes,
/// ``addObserver(_:)`` and ``events(bufferingPolicy:)`` for every event) are called synchronously,
/// outside the lock, on the task that caused the event; keep them short. Observing every event turns
/// the lock-free success counting off; observing state changes does not.
public final class CircuitBreaker<C: Clock>: ResiliencePolicy where C.Duration == Duration {
    @usableFromInline
    typealias Machine = CircuitBreakerStateMachine

    @usableFromInline
    struct Shared: ~Copyable {
        @usableFromInline var machine: Machine
        @usableFromInline var observers = ObserverList<CircuitBreakerEvent>()
        /// The observers in ``observers`` that take every event, not only state changes: while there are
        /// any, successes are counted under the lock so that each one is delivered.
        @usableFromInline var perCallObservers: Set<ResilienceObserverID> = []
        /// The batch that successes counted without the lock belong to; see `CircuitBreakerFastPath`.
        @usableFromInline var batch: Machine.SuccessBatch?

        init(machine: Machine) { self.machine = machine }
    }

    /// The name used in errors, metrics labels and logs. Keep it low-cardinality.
    public let name: String
    /// Decides which errors and results are failures.
    public let classifier: FailureClassifier

    /// Reads the clock; its origin is when the breaker was created, and call start times are kept as
    /// offsets from it.
    @usableFromInline let reader: ClockReader<C>
    @usableFromInline let shared: Locked<Shared>
    /// Admission and success counting without the lock.
    @usableFromInline let fastPath: CircuitBreakerFastPath
    /// Which clock reads a call needs, from the configuration; changed by ``reconfigure(_:)``.
    @usableFromInline let timing: CircuitBreakerTiming
    @usableFromInline let telemetry: CircuitBreakerTelemetry

    /// Creates a closed circuit breaker.
    /// - Parameters:
    ///   - name: a low-cardinality name for errors, metrics and logs (e.g. `"payments"`).
    ///   - configuration: thresholds and durations; validated here.
    ///   - classifier: which errors and results count as failures.
    ///   - clock: the clock for windows and breaks; `ContinuousClock` by default.
    ///   - logger: receives state changes; by default nothing is logged.
    ///   - metricsFactory: where the metrics go; by default the factory `MetricsSystem` is bootstrapped
    ///     with at the time the breaker is created.
    ///
    /// An invalid `configuration` stops the process with a message naming the key: a configuration
    /// written in code must be valid (see ``ConfigurationError``).
    public convenience init(
        name: String,
        configuration: CircuitBreakerConfiguration = CircuitBreakerConfiguration(),
        classifier: FailureClassifier = .default,
        clock: C = ContinuousClock(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        let validated = ConfigurationError.required("CircuitBreaker \"\(name)\"") {
            () throws(ConfigurationError) in try ValidatedCircuitBreakerConfiguration(configuration)
        }
        self.init(
            name: name, validated: validated, classifier: classifier, clock: clock, logger: logger,
            metricsFactory: metricsFactory)
    }

    /// Creates a closed circuit breaker from a configuration that already passed validation.
    init(
        name: String,
        validated: ValidatedCircuitBreakerConfiguration,
        classifier: FailureClassifier,
        clock: C,
        logger: Logger?,
        metricsFactory: (any MetricsFactory)?
    ) {
        let reader = ClockReader(clock: clock)
        let machine = Machine(validated: validated)
        self.reader = reader
        self.name = name
        self.classifier = classifier
        self.timing = CircuitBreakerTiming(validated.raw)
        self.fastPath = CircuitBreakerFastPath()
        self.shared = Locked(Shared(machine: machine))
        self.telemetry = CircuitBreakerTelemetry(
            policyName: name,
            sinks: TelemetrySinks(logger: logger, metricsFactory: metricsFactory),
            initialState: .closed)
        withMachine { _ in }  // publishes the fast path
    }

    // MARK: - Executing

    /// Runs `operation` if the breaker admits it, and records its outcome.
    ///
    /// - Returns: what `operation` returned (also when the classifier counts that result as a failure).
    /// - Throws: what `operation` threw, unchanged; or a ``ResilienceError`` with code
    ///   ``ResilienceError/Code/circuitOpen`` or ``ResilienceError/Code/halfOpenFull`` when the call was
    ///   rejected without running.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        _ operation: nonisolated(nonsending) () async throws -> Value
    ) async throws -> Value {
        // No permit: a shadow breaker would have rejected the call, which runs unrecorded.
        guard let permit = try admit() else { return try await operation() }
        // An offset rather than a `C.Instant?`: an optional of a resilient instant type (the standard
        // clocks') costs value-witness calls even when it is nil.
        let start = timing.measuresDuration ? reader.elapsed() : nil
        let value: Value
        do {
            value = try await operation()
        } catch {
            report(classifier.classify(error: error), of: permit, startedAt: start)
            throw error
        }
        report(classifier.classify(result: value), of: permit, startedAt: start)
        return value
    }

    /// Runs `operation`, with `context`, through the breaker: see ``execute(_:)``.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        try await execute { try await operation(context) }
    }

    /// Admits a call, or throws the rejection; `nil` when a breaker in shadow mode would have rejected
    /// it (counted and logged): the call runs, and its outcome is not recorded.
    @inlinable
    func admit() throws(ResilienceError) -> Machine.Permit? {
        if let permit = fastPath.admit() { return permit }
        return try admitWithClock()
    }

    @inlinable
    func admitWithClock() throws(ResilienceError) -> Machine.Permit? {
        let (decision, transition, observers) = update(now: reader.offsetNow) { machine, now in
            let (decision, transition) = machine.acquire(now: now)
            return ((decision, machine.configuration.mode), transition)
        }
        deliver(transition, to: observers)
        switch decision.0 {
        case .permitted(let permit):
            return permit
        case .rejected(let code, let retryAfter):
            guard decision.1 == .enforce else {
                telemetry.shadowRejected(code)
                return nil
            }
            telemetry.rejected(code)
            deliver(.callRejected(code), to: observers)
            ResilienceSpan.rejected(policy: name, code: code)
            throw ResilienceError(code: code, policyName: name, retryAfter: retryAfter)
        }
    }

    /// Records an outcome of a call that started `start` attoseconds after the origin (`nil` when
    /// durations are not measured); reads the clock only when the state machine needs it.
    @inlinable
    func report(_ outcome: CallOutcome, of permit: Machine.Permit, startedAt start: Int128?) {
        telemetry.recorded(outcome)
        guard timing.recordsSuccessWithoutTime else { return reportTimed(outcome, of: permit, startedAt: start) }
        if outcome == .success && fastPath.countSuccess(of: permit, now: 0) { return }
        if outcome != .failure {
            let recorded = withMachine { shared -> (done: Bool, observers: Observers?) in
                guard shared.machine.recordWithoutTime(outcome, of: permit) == .recorded else { return (false, nil) }
                return (true, shared.observers.snapshot)
            }
            if recorded.done {
                deliver(.outcomeRecorded(outcome), to: recorded.observers)
                return
            }
        }
        reportWithClock(outcome, of: permit, startedAt: start, now: reader.offsetNow)
    }

    /// ``report(_:of:startedAt:)`` when the outcome's instant matters (time window or slow calls).
    @inlinable
    func reportTimed(_ outcome: CallOutcome, of permit: Machine.Permit, startedAt start: Int128?) {
        let end = reader.elapsed()
        if outcome == .success {
            let fast = start.map { end &- $0 < timing.slowCallAttoseconds } ?? true
            if fast && fastPath.countSuccess(of: permit, now: end) { return }
        }
        reportWithClock(outcome, of: permit, startedAt: start, now: ClockOffset(attoseconds: end))
    }

    @inlinable
    func reportWithClock(
        _ outcome: CallOutcome, of permit: Machine.Permit, startedAt start: Int128?, now: ClockOffset
    ) {
        let (_, transition, observers) = update(now: now) { machine, now in
            let duration = Duration(attoseconds: start.map { now.attoseconds &- $0 } ?? 0)
            return ((), machine.record(outcome, of: permit, duration: duration, now: now))
        }
        deliver(.outcomeRecorded(outcome), to: observers)
        deliver(transition, to: observers)
    }

    // MARK: - Reading

    /// The configuration the breaker runs with: the one it was created with, or the last one
    /// ``reconfigure(_:)`` applied.
    public var configuration: CircuitBreakerConfiguration {
        withMachine { $0.machine.configuration }
    }

    /// The current state (a break that has elapsed shows as half-open, never as a stale open).
    public var state: CircuitState {
        read { machine, now in machine.state(now: now) }
    }

    /// A snapshot: state, window counts and ratios, lifetime counters, time in state.
    public var stats: CircuitBreakerStats {
        read { machine, now in machine.stats(now: now) }
    }

    // MARK: - Manual control

    /// Opens the breaker until ``reset()`` or ``forceClosed()``: every call is rejected with
    /// ``ResilienceError/Code/circuitOpen`` (without `retryAfter`), with no automatic recovery.
    public func forceOpen() { manual { $0.forceOpen(now: $1) } }

    /// Closes the breaker until ``reset()`` or ``forceOpen()``: every call is admitted and recorded, and
    /// it never trips.
    public func forceClosed() { manual { $0.forceClosed(now: $1) } }

    /// Returns to closed with an empty window. Outcomes of calls admitted before are ignored.
    public func reset() { manual { $0.reset(now: $1) } }

    // MARK: - Reconfiguring

    /// Runs with `configuration` from now on, keeping the breaker's state (a hot reload). After any
    /// time-driven transition due now:
    /// - **The state stays**: an open breaker stays open until the end of the break it is serving (a new
    ///   `breakDuration` applies from its next trip); a forced state stays forced. Calls in flight keep
    ///   their permits.
    /// - **The window keeps its calls where the shapes allow**: a count window keeps its newest
    ///   `windowSize` calls (all of them when it grows); a time window whose `samplingDuration` or
    ///   `windowBuckets` change re-counts each live bucket's calls as if they had happened at the
    ///   instant that bucket started, so a call leaves the window no later than it would have (possibly
    ///   earlier, by less than one old bucket plus one new bucket), and calls older than the new
    ///   `samplingDuration` are dropped; a change of `window` (count ↔ time) starts an empty window,
    ///   since a count window does not know when its calls happened nor a time window their order.
    ///   Calls keep the failure and slow marks they were recorded with.
    /// - **New thresholds apply from the next event**: in closed state, `minimumThroughput`,
    ///   `failureRatio` and `slowCallRatio` are checked at the next recorded failure or slow call, as
    ///   always (reconfiguring never trips a breaker by itself). In half-open state the probes
    ///   decided so far are checked at once against the new `halfOpenPermittedCalls` and
    ///   `halfOpenSuccessRatio`, since no further probe may come to decide them: the breaker closes or
    ///   re-opens here when they already decide it. `halfOpenMaxDuration` counts from when half-open
    ///   was entered.
    /// - **The growing break** is kept within the new bounds: at least `breakDuration`, at most
    ///   `maxBreakDuration`; in closed state it is the new `breakDuration`.
    ///
    /// A call that started before and ends after is judged by either configuration. The breaker
    /// keeps its name, classifier, clock, observers and metrics; observers hear the transitions a
    /// reconfiguration causes.
    /// - Throws: ``ConfigurationError`` naming the invalid key; the breaker is then unchanged.
    public func reconfigure(_ configuration: CircuitBreakerConfiguration) throws(ConfigurationError) {
        let validated = try ValidatedCircuitBreakerConfiguration(configuration)
        let (transitions, _, observers) = update(now: reader.offsetNow) { machine, now in
            let transitions = machine.reconfigure(validated: validated, now: now)
            timing.set(validated.raw)
            return (transitions, nil)
        }
        for transition in transitions { deliver(transition, to: observers) }
    }

    private func manual(_ change: (inout Machine, ClockOffset) -> [CircuitTransition]) {
        let (transitions, _, observers) = update(now: reader.offsetNow) { machine, now in
            (change(&machine, now), nil)
        }
        for transition in transitions { deliver(transition, to: observers) }
    }

    // MARK: - Observing

    /// Calls `handler` with every event from now on, every call's outcome included, synchronously and
    /// outside the breaker's lock.
    ///
    /// **Cost.** While an observer of every event is added, each successful call takes the breaker's
    /// lock and delivers an `outcomeRecorded` event, instead of being counted with one atomic operation:
    /// a closed call in a count window costs about 70 ns instead of 26 (see the README's performance table). To watch
    /// the state only, use ``addStateObserver(_:)`` or ``stateChanges(bufferingPolicy:)``, which keep the
    /// fast path.
    /// - Returns: an identifier for ``removeObserver(_:)``.
    @discardableResult
    public func addObserver(_ handler: @escaping @Sendable (CircuitBreakerEvent) -> Void) -> CircuitBreakerObserverID {
        withMachine { shared in
            let id = shared.observers.add(handler)
            shared.perCallObservers.insert(id)
            return id
        }
    }

    /// Calls `handler` with every state change from now on (`closed → open (failureRatioReached)`, ...),
    /// synchronously and outside the breaker's lock. Successful calls stay on the lock-free fast path:
    /// a closed breaker with state observers costs what one without costs.
    /// - Returns: an identifier for ``removeObserver(_:)``.
    @discardableResult
    public func addStateObserver(_ handler: @escaping @Sendable (CircuitTransition) -> Void) -> CircuitBreakerObserverID {
        withMachine { shared in
            shared.observers.add { event in
                if case .stateChanged(let transition) = event { handler(transition) }
            }
        }
    }

    /// Stops calling the observer `id` (added by ``addObserver(_:)`` or ``addStateObserver(_:)``).
    public func removeObserver(_ id: CircuitBreakerObserverID) {
        withMachine { shared in
            shared.observers.remove(id)
            shared.perCallObservers.remove(id)
        }
    }

    /// A stream of the state changes from now on; it keeps the breaker's fast path (see
    /// ``addStateObserver(_:)``). The stream ends when its consumer stops iterating.
    /// - Parameter bufferingPolicy: what the stream keeps while its consumer is slower than the breaker;
    ///   unbounded by default, as for `AsyncStream`.
    public func stateChanges(
        bufferingPolicy: AsyncStream<CircuitTransition>.Continuation.BufferingPolicy = .unbounded
    ) -> AsyncStream<CircuitTransition> {
        ObserverList.stream(
            bufferingPolicy: bufferingPolicy, add: { addStateObserver($0) },
            remove: { [weak self] id in self?.removeObserver(id) })
    }

    /// A stream of every event from now on, every call's outcome included: it has the cost of
    /// ``addObserver(_:)``; for state changes only, use ``stateChanges(bufferingPolicy:)``. The stream
    /// ends when its consumer stops iterating.
    /// - Parameter bufferingPolicy: what the stream keeps while its consumer is slower than the breaker;
    ///   unbounded by default, as for `AsyncStream`.
    public func events(
        bufferingPolicy: AsyncStream<CircuitBreakerEvent>.Continuation.BufferingPolicy = .unbounded
    ) -> AsyncStream<CircuitBreakerEvent> {
        ObserverList.stream(
            bufferingPolicy: bufferingPolicy, add: { addObserver($0) },
            remove: { [weak self] id in self?.removeObserver(id) })
    }

    // MARK: - Internals

    @usableFromInline
    typealias Observers = ObserverList<CircuitBreakerEvent>.Snapshot

    /// Runs `body` under the lock, after handing the successes counted without the lock to the state
    /// machine, and publishes the fast path again afterwards. Every use of the lock goes through here.
    @inlinable
    func withMachine<Value>(_ body: (inout Shared) -> Value) -> Value {
        shared.withLock { shared in
            fastPath.takeSuccesses(into: &shared.machine, batch: shared.batch)
            let value = body(&shared)
            if telemetry.countsOutcomes { telemetry.recordOpenPeriod(of: &shared.machine) }
            shared.batch = fastPath.publish(shared.machine, counting: shared.perCallObservers.isEmpty)
            return value
        }
    }

    /// Applies `change` to the state machine at `now`, under the lock. Returns what `change` returned
    /// and the observers to deliver events to, outside the lock.
    @inlinable
    func update<Value>(
        now: ClockOffset, _ change: (inout Machine, ClockOffset) -> (Value, CircuitTransition?)
    ) -> (value: Value, transition: CircuitTransition?, observers: Observers?) {
        withMachine { shared in
            let (value, transition) = change(&shared.machine, now)
            if telemetry.countsOutcomes { telemetry.recordRatios(of: &shared.machine, now: now) }
            return (value, transition, shared.observers.snapshot)
        }
    }

    /// ``update(now:_:)`` for reads: delivers the time-driven transition the read applied, if any.
    func read<Value>(_ body: (inout Machine, ClockOffset) -> (Value, CircuitTransition?)) -> Value {
        let (value, transition, observers) = update(now: reader.offsetNow, body)
        deliver(transition, to: observers)
        return value
    }

    /// Whether the breaker is closed (not forced), read without its lock or clock.
    var isPlainlyClosed: Bool { fastPath.isPlainlyClosed }

    @inlinable
    func deliver(_ transition: CircuitTransition?, to observers: Observers?) {
        if let transition { deliver(.stateChanged(transition), to: observers) }
    }

    /// Sends `event` to telemetry (state changes) and to `observers` (`nil` when there are none).
    @inlinable
    func deliver(_ event: CircuitBreakerEvent, to observers: Observers?) {
        if case .stateChanged(let transition) = event { telemetry.changed(transition) }
        observers?.deliver(event)
    }
}

/// Something a circuit breaker did, delivered to its observers.
public enum CircuitBreakerEvent: Sendable, Hashable {
    /// The state changed.
    case stateChanged(CircuitTransition)
    /// A call was rejected with this code (``ResilienceError/Code/circuitOpen`` or
    /// ``ResilienceError/Code/halfOpenFull``).
    case callRejected(ResilienceError.Code)
    /// A call's outcome was recorded (also when it arrived after a state change and changed nothing).
    case outcomeRecorded(CallOutcome)
}

/// Identifies an observer added with ``CircuitBreaker/addObserver(_:)`` or
/// ``CircuitBreaker/addStateObserver(_:)``, to remove it again.
public typealias CircuitBreakerObserverID = ResilienceObserverID
