import Synchronization
import Logging
import Metrics

/// Cancels an operation that runs too long, and throws a `timedOut` ``ResilienceError`` instead.
///
/// ```swift
/// let timeout = Timeout(name: "payments", configuration: TimeoutConfiguration(duration: .seconds(2)))
/// let receipt = try await timeout.execute { try await payments.charge(order) }
/// ```
///
/// The limit of a call is the earlier of its duration (fixed, from a ``TimeoutTable`` by the call's
/// operation type, or from an ``AdaptiveTimeout`` by the call's endpoint) and the deadline in its ``ResilienceContext``. The operation receives a context
/// whose deadline is that limit, so the policies and calls inside it (a nested timeout, a retry's
/// delays, ``DeadlineSplit``) are bounded by it too. A call whose deadline has already passed is not
/// started: it throws `timedOut` at once.
///
/// When the limit is reached, the operation's task is cancelled and the caller gets `timedOut`, even
/// if the operation then returns a value: a timed-out call never reports success.
///
/// **How it runs.** ``execute(context:_:)`` (the ``ResiliencePolicy`` entry point, used in pipelines)
/// runs the operation in a child task, next to a timer child task on the policy's clock. This is
/// structured concurrency: when the call returns, nothing it started is still running. For an
/// operation that honours cancellation (URLSession, AsyncHTTPClient, `Task.sleep`, database drivers)
/// the caller gets `timedOut` as soon as the operation has stopped, a few microseconds after the limit.
/// An operation that ignores cancellation cannot be abandoned without breaking that guarantee, so the
/// call returns when the operation returns: still with `timedOut`, and the overrun (how long it ran
/// past the limit) is recorded in telemetry and logged at `warning` when over 10 ms.
///
/// When the caller must return on time whatever the operation does, use
/// ``executeDetached(context:_:)``: it needs a `@Sendable` operation and a `Sendable` value, runs the
/// operation in a task of its own and abandons it at the limit. The abandoned operation (the
/// "orphan") is cancelled, counted while it runs on (`resilience_timeout_orphans` gauge), and its
/// end is reported (log at `warning` and `resilience_timeout_overrun_seconds`).
///
/// Cost: two child tasks per call (the operation and the timer); see the README's performance table.
///
/// A timed-out call rethrows nothing of the operation: the error's ``ResilienceError/underlyingError``
/// is `nil`. The caller's own cancellation is not a timeout: it is passed on to the operation, and the
/// caller gets what the operation throws (normally `CancellationError`).
public final class Timeout<C: Clock>: ResiliencePolicy where C.Duration == Duration {
    /// The name used in metrics labels and logs. Keep it low-cardinality.
    public let name: String
    /// Where each call's duration comes from: given at creation, or by the last ``reconfigure(_:mode:enforcement:)``.
    public var source: TimeoutSource { currentSource.withLock { $0 } }
    /// The source, read once per call (one short lock beside the child task a call costs).
    @usableFromInline let currentSource: Locked<TimeoutSource>
    /// Shadow mode (``PolicyMode/shadow``): calls are not cut at their limit, only counted past it.
    let isShadow: Atomic<Bool>
    /// Cooperative enforcement (``TimeoutEnforcement/cooperative``): no task; the operation enforces the limit.
    let isCooperative: Atomic<Bool>

    @usableFromInline let clock: C
    @usableFromInline let telemetry: TimeoutTelemetry

    /// Creates a timeout with one duration for every call.
    ///
    /// An invalid configuration stops the process with a message naming the key: a configuration
    /// written in code must be valid (see ``ConfigurationError``).
    public convenience init(
        name: String,
        configuration: TimeoutConfiguration = TimeoutConfiguration(),
        clock: C = ContinuousClock(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        ConfigurationError.required("Timeout \"\(name)\"") { () throws(ConfigurationError) in try configuration.validate() }
        self.init(
            name: name, table: TimeoutTable(default: configuration.duration), mode: configuration.mode,
            enforcement: configuration.enforcement, clock: clock, logger: logger, metricsFactory: metricsFactory)
    }

    /// Creates a timeout whose duration depends on the call's operation type.
    /// - Parameters:
    ///   - name: a low-cardinality name for metrics and logs.
    ///   - table: the duration per operation type, and the default.
    ///   - mode: ``PolicyMode/enforce`` cuts calls at their limit; ``PolicyMode/shadow`` only counts the
    ///     calls that run past it, and lets them finish.
    ///   - enforcement: how a call is stopped at its limit: see ``TimeoutEnforcement``.
    ///   - clock: the clock the limit is measured on; the context's deadline must be one of its instants; `ContinuousClock` by default.
    ///   - logger: receives a `debug` line per timeout and a `warning` per overrun or orphan.
    ///   - metricsFactory: where the metrics go; by default the bootstrapped `MetricsSystem` factory.
    ///
    /// An invalid configuration stops the process with a message naming the key: a configuration
    /// written in code must be valid (see ``ConfigurationError``).
    public convenience init(
        name: String,
        table: TimeoutTable,
        mode: PolicyMode = .enforce,
        enforcement: TimeoutEnforcement = .cancel,
        clock: C = ContinuousClock(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        ConfigurationError.required("Timeout \"\(name)\"") { () throws(ConfigurationError) in try table.validate() }
        self.init(name: name, source: .table(table), clock: clock, logger: logger, metricsFactory: metricsFactory)
        isShadow.store(mode == .shadow, ordering: .relaxed)
        isCooperative.store(enforcement == .cooperative, ordering: .relaxed)
    }

    /// Creates a timeout whose duration adapts to each endpoint's recent latencies.
    ///
    /// Before each call the timeout of the call's key is asked from `adaptive`; after it, the call's
    /// latency is recorded there: its elapsed time, or, when it timed out at that timeout, the timeout
    /// itself (the true latency was at least that long). A call cut short by an earlier context
    /// deadline, or cancelled by its caller, records nothing: its time says nothing about the endpoint.
    /// - Parameters:
    ///   - name: a low-cardinality name for errors, metrics and logs.
    ///   - adaptive: the per-endpoint latency tracker; share it with ``Hedging`` for its delay.
    ///   - key: the endpoint of a call; by default its operation name.
    ///   - clock: the clock the limit is measured on; `ContinuousClock` by default.
    ///   - logger: receives a `debug` line per timeout and a `warning` per overrun or orphan.
    ///   - metricsFactory: where the metrics go; by default the bootstrapped `MetricsSystem` factory.
    public convenience init(
        name: String,
        adaptive: AdaptiveTimeout,
        key: @escaping @Sendable (ResilienceContext) -> String = { $0.operationName },
        clock: C = ContinuousClock(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.init(
            name: name, source: .adaptive(adaptive, key: key), clock: clock, logger: logger,
            metricsFactory: metricsFactory)
    }

    init(
        name: String, source: TimeoutSource, clock: C, logger: Logger?, metricsFactory: (any MetricsFactory)?
    ) {
        self.name = name
        self.currentSource = Locked(source)
        self.isShadow = Atomic(false)
        self.isCooperative = Atomic(false)
        self.clock = clock
        self.telemetry = TimeoutTelemetry(
            policyName: name,
            sinks: TelemetrySinks(logger: logger, metricsFactory: metricsFactory))
    }

    /// Gives calls that start from now on the durations of `table` (calls running keep the limit they
    /// started with). A timeout created with an adaptive source becomes a fixed one. `mode` (when given)
    /// switches between cutting calls at their limit and only counting those that run past it
    /// (``PolicyMode/shadow``), and `enforcement` (when given) how calls are stopped at their limit,
    /// for calls that start from now on.
    /// - Throws: ``ConfigurationError`` naming the invalid key; the timeout is then unchanged.
    public func reconfigure(
        _ table: TimeoutTable, mode: PolicyMode? = nil, enforcement: TimeoutEnforcement? = nil
    ) throws(ConfigurationError) {
        try table.validate()
        currentSource.withLock { $0 = .table(table) }
        if let mode { isShadow.store(mode == .shadow, ordering: .relaxed) }
        if let enforcement { isCooperative.store(enforcement == .cooperative, ordering: .relaxed) }
    }

    /// The mode calls start in.
    public var mode: PolicyMode { isShadow.load(ordering: .relaxed) ? .shadow : .enforce }

    /// How calls that start now are stopped at their limit.
    public var enforcement: TimeoutEnforcement { isCooperative.load(ordering: .relaxed) ? .cooperative : .cancel }

    /// Runs `operation` in a child task and cancels it at the call's limit.
    /// - Returns: what the operation returned, if it finished before the limit.
    /// - Throws: `ResilienceError` with code `timedOut` when the limit was reached (or had passed before
    ///   the call); otherwise what the operation threw. ``ResilienceContext/DeadlineClockMismatch``
    ///   when the context's deadline is not an instant of this policy's clock.
    public nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        if isShadow.load(ordering: .relaxed) { return try await executeInShadow(context: context, operation) }
        if isCooperative.load(ordering: .relaxed) { return try await executeCooperatively(context: context, operation) }
        let (start, plan, inner) = try begin(context)
        let limit = plan.limit
        // Safe: the operation runs in a child task that this call awaits to the end, and while it runs
        // this task only waits for the group, so nothing else touches what the operation captured. (The
        // same reasoning as swift-async-algorithms' `withTimeout`.) Its value is read after the child
        // has finished.
        nonisolated(unsafe) let operation = operation
        do {
            let value = try await race(until: limit, start: start) { try await operation(inner) }.value
            plan.recordLatency(start.duration(to: clock.now))
            return value
        } catch let error as ResilienceError where error.code == .timedOut && error.policyName == name {
            plan.recordTimeout()
            throw error
        } catch {
            if !(error is CancellationError) { plan.recordLatency(start.duration(to: clock.now)) }
            throw error
        }
    }

    /// Cooperative enforcement: runs `operation` in this task with the limit as its context's deadline,
    /// and answers `timedOut` when it ends at or past the limit, whatever it returned or threw (an
    /// operation that enforces the deadline throws its own timeout error there). The caller's own
    /// cancellation is passed through as it is.
    nonisolated(nonsending) func executeCooperatively<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        let (start, plan, inner) = try begin(context)
        let result: Result<Value, any Error>
        do { result = .success(try await operation(inner)) } catch { result = .failure(error) }
        let end = clock.now
        if case .failure(let error) = result, error is CancellationError || Task.isCancelled { throw error }
        guard end < plan.limit else {
            plan.recordTimeout()
            telemetry.timedOut(after: start.duration(to: plan.limit), overrun: plan.limit.duration(to: end))
            throw timedOut()
        }
        if case .failure(let error) = result, (error as? ResilienceError)?.code == .timedOut {
            throw error  // a nested policy's timeout: says nothing of this endpoint's latency
        }
        plan.recordLatency(start.duration(to: end))
        return try result.get()
    }

    /// Shadow mode: runs `operation` as it is, in this task and with the caller's context, and counts
    /// it (``ShadowRejections``) when it ends at or past the limit it would have had.
    nonisolated(nonsending) func executeInShadow<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        let start = clock.now
        let limit = (try? plan(for: context, start: start, counting: false))?.limit ?? start
        defer {
            if clock.now >= limit { telemetry.shadow.record(ResilienceError.Code.timedOut.description) }
        }
        return try await operation(context)
    }

    /// Runs `operation` in a child task, next to a timer child task that ends at `limit`.
    func race<Value>(
        until limit: C.Instant, start: C.Instant,
        _ operation: @Sendable () async throws -> Value
    ) async throws -> UncheckedTransfer<Value> {
        try await withoutActuallyEscaping(operation) { operation in
            try await withThrowingTaskGroup(of: Race<Value>.self) { group in
                group.addTask {
                    do {
                        // The value leaves this child only when it ends, and is read by the parent after.
                        return .finished(.success(UncheckedTransfer(try await operation())))
                    } catch {
                        return .finished(.failure(error))
                    }
                }
                group.addTask { [clock] in
                    do {
                        try await clock.sleep(until: limit, tolerance: nil)
                        return .limitReached
                    } catch {
                        return .timerStopped
                    }
                }
                while let next = try await group.next() {
                    switch next {
                    case .finished(let result):
                        group.cancelAll()
                        return try result.get()
                    case .limitReached:
                        group.cancelAll()
                        _ = try await group.next()  // the operation, which was cancelled
                        telemetry.timedOut(after: start.duration(to: limit), overrun: limit.duration(to: clock.now))
                        throw timedOut()
                    case .timerStopped:
                        continue  // the caller was cancelled: the operation's outcome decides
                    }
                }
                preconditionFailure("a timeout's task group ended without the operation's outcome")
            }
        }
    }

    /// Runs `operation` in a task of its own and returns at the call's limit whatever the operation
    /// does; an operation still running then is cancelled and abandoned, and reported when it ends.
    ///
    /// Use it for operations that may ignore cancellation when the caller must not wait for them.
    /// - Throws: as ``execute(context:_:)``.
    public func executeDetached<Value: Sendable>(
        context: ResilienceContext = ResilienceContext(),
        _ operation: @escaping @Sendable (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        if isShadow.load(ordering: .relaxed) { return try await executeInShadow(context: context, operation) }
        let (start, plan, inner) = try begin(context)
        let limit = plan.limit
        let race = DetachedRace<Value>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                race.begin(continuation)
                let work = Task {
                    let result: Result<Value, any Error>
                    do { result = .success(try await operation(inner)) } catch { result = .failure(error) }
                    if race.operationEnded(with: result) == .orphan {
                        telemetry.orphanEnded(overrun: limit.duration(to: clock.now))
                    } else if case .failure(let error) = result, error is CancellationError {
                        // the caller's cancellation: the time says nothing about the endpoint
                    } else {
                        plan.recordLatency(start.duration(to: clock.now))
                    }
                }
                let timer = Task { [clock] in
                    guard (try? await clock.sleep(until: limit, tolerance: nil)) != nil else { return }
                    if race.limitReached(error: timedOut()) {
                        plan.recordTimeout()
                        telemetry.timedOut(after: start.duration(to: limit), overrun: nil)
                        telemetry.orphanStarted()
                    }
                }
                race.setTasks(work: work, timer: timer)
            }
        } onCancel: {
            if race.callerCancelled() { telemetry.orphanStarted() }
        }
    }

    /// Operations abandoned by ``executeDetached(context:_:)`` that are still running.
    public var orphanCount: Int { telemetry.orphanCount }

    /// Starts a call: its start instant, its plan, and the context its operation gets (the limit as
    /// its deadline).
    func begin(_ context: ResilienceContext) throws -> (C.Instant, TimeoutPlan<C.Instant>, ResilienceContext) {
        let start = clock.now
        let plan = try plan(for: context, start: start)
        var inner = context
        inner.deadline = plan.limit
        return (start, plan, inner)
    }

    /// The limit of a call starting at `start` with `context`, and where its latency is to be recorded.
    /// - Throws: `timedOut` when the limit is not after `start`; a clock mismatch.
    func plan(for context: ResilienceContext, start: C.Instant, counting: Bool = true) throws -> TimeoutPlan<C.Instant> {
        let duration: Duration
        var endpoint: AdaptiveTimeout.Endpoint?
        switch currentSource.withLock({ $0 }) {
        case .table(let table):
            duration = table.duration(for: context.operationType)
        case .adaptive(let adaptive, let key):
            let chosen = adaptive.endpoint(key(context))
            duration = chosen.timeout()
            endpoint = chosen
        }
        var plan = TimeoutPlan(limit: start.advanced(by: duration), duration: duration, endpoint: endpoint)
        if let deadline = try context.deadline(on: clock), deadline < plan.limit {
            plan.limit = deadline
            plan.limitedByDeadline = true
        }
        guard start < plan.limit else {
            if counting { telemetry.timedOut(after: .zero, overrun: nil) }
            throw timedOut()
        }
        return plan
    }

    @usableFromInline
    func timedOut() -> ResilienceError {
        ResilienceError(code: .timedOut, policyName: name)
    }
}

/// What finished first in a timeout's task group.
enum Race<Value>: Sendable {
    case finished(Result<UncheckedTransfer<Value>, any Error>)
    case limitReached
    case timerStopped
}

/// Carries a non-`Sendable` value into or out of a child task that the sender awaits to the end.
/// Every use states why no two tasks touch the value at once.
@usableFromInline
struct UncheckedTransfer<Value>: @unchecked Sendable {
    @usableFromInline let value: Value
    @usableFromInline init(_ value: Value) { self.value = value }
}

extension Timeout {
    /// Creates a timeout of `duration` for every call: `Timeout(name: "db", duration: .seconds(2))` is
    /// `Timeout(name: "db", configuration: TimeoutConfiguration(duration: .seconds(2)))`.
    ///
    /// A `duration` that is not positive stops the process with a message naming `duration` (see
    /// ``ConfigurationError``).
    public convenience init(
        name: String, duration: Duration, clock: C = ContinuousClock(), logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.init(
            name: name, configuration: TimeoutConfiguration(duration: duration), clock: clock, logger: logger,
            metricsFactory: metricsFactory)
    }
}
