import Logging
import Metrics

/// Stops a failure in a group of dependencies from cascading through the service: when the group's
/// error rate is high, non-critical calls fail fast, leaving capacity (threads, connections, the
/// dependencies' own recovery) to the calls that matter.
///
/// Put one preventor in the pipelines of every dependency of the group, outermost after fallbacks:
///
/// ```swift
/// let storage = CascadePreventor(name: "storage")   // database, cache, object store
/// let dbPipeline = ResiliencePipeline { storage; dbBreaker; dbTimeout }
/// let cachePipeline = ResiliencePipeline { storage; cacheBreaker }
/// ```
///
/// See `CascadePreventorStateMachine` for the exact rules: the outcomes of every call go into one
/// rolling window; at `failureRatio` (with `minimumThroughput` calls) the preventor switches to
/// fast-fail for `coolDown`, rejecting calls whose context's priority is below
/// `minimumAdmittedPriority` (critical by default) with ``ResilienceError/Code/loadShed`` and a
/// `retryAfter` of the remaining cool-down; then it recovers automatically unless the critical calls
/// made meanwhile still fail at that rate.
///
/// Outcomes are classified by ``classifier``; a rejection by an inner policy (an open breaker, a full
/// bulkhead) is ignored by the default classifier, because the dependency was not asked. Observers
/// are called synchronously, outside the lock; keep them short. Cost: one lock and one clock read to
/// admit, and the same to record.
public final class CascadePreventor<C: Clock>: ResiliencePolicy where C.Duration == Duration {
    typealias Machine = CascadePreventorStateMachine

    struct Shared: Sendable {
        var machine: Machine
        var observers = ObserverList<CascadePreventorEvent>()
    }

    /// The name used in errors, metrics labels and logs.
    public let name: String
    /// The validated configuration.
    public let configuration: CascadePreventorConfiguration
    /// Decides which errors and results are failures.
    public let classifier: FailureClassifier

    let reader: ClockReader<C>
    let shared: Locked<Shared>
    let telemetry: CascadePreventorTelemetry

    /// Creates a preventor in normal mode.
    /// - Parameters:
    ///   - name: a low-cardinality name for errors, metrics and logs (e.g. `"storage"`).
    ///   - configuration: thresholds and durations; validated here.
    ///   - classifier: which errors and results count as failures.
    ///   - clock: the clock for the window and the cool-down; `ContinuousClock` by default.
    ///   - logger: receives mode changes; by default nothing is logged.
    ///   - metricsFactory: where the metrics go; by default `MetricsSystem.factory`.
    ///
    /// An invalid configuration stops the process with a message naming the key: a configuration written
    /// in code must be valid (see ``ConfigurationError``).
    public init(
        name: String,
        configuration: CascadePreventorConfiguration = CascadePreventorConfiguration(),
        classifier: FailureClassifier = .default,
        clock: C = ContinuousClock(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        let machine = ConfigurationError.required("CascadePreventor \"\(name)\"") { () throws(ConfigurationError) in try Machine(configuration: configuration) }
        self.name = name
        self.configuration = configuration
        self.classifier = classifier
        reader = ClockReader(clock: clock)
        shared = Locked(Shared(machine: machine))
        telemetry = CascadePreventorTelemetry(
            policyName: name,
            sinks: TelemetrySinks(logger: logger, metricsFactory: metricsFactory))
    }

    /// Runs `operation` unless the preventor fails fast for the context's priority, and records its
    /// outcome.
    /// - Throws: what `operation` threw, unchanged; or a ``ResilienceError`` with code
    ///   ``ResilienceError/Code/loadShed`` when the call was rejected without running.
    public nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        try admit(priority: context.priority)
        let value: Value
        do {
            value = try await operation(context)
        } catch {
            record(classifier.classify(error: error))
            throw error
        }
        record(classifier.classify(result: value))
        return value
    }

    /// Admits a call of `priority` or throws the rejection. Use with ``record(_:)`` when the call does
    /// not go through ``execute(context:_:)``.
    public func admit(priority: Priority) throws(ResilienceError) {
        let (decision, change, observers) = update { machine, now in machine.admit(priority: priority, now: now) }
        var events = change.map { [CascadePreventorEvent.modeChanged($0)] } ?? []
        guard case .rejected(let retryAfter) = decision else {
            return deliver(events, to: observers)
        }
        telemetry.rejected(priority)
        events.append(.callRejected(priority))
        deliver(events, to: observers)
        ResilienceSpan.rejected(policy: name, code: .loadShed)
        throw ResilienceError(code: .loadShed, policyName: name, retryAfter: retryAfter)
    }

    /// Records the outcome of a call to one of the group's dependencies.
    public func record(_ outcome: CallOutcome) {
        let (_, change, observers) = update { machine, now in ((), machine.record(outcome, now: now)) }
        deliver(change.map { [.modeChanged($0)] } ?? [], to: observers)
    }

    /// The current mode (a cool-down that has ended is resolved first).
    public var mode: CascadeMode {
        read { machine, now in machine.mode(now: now) }
    }

    /// The current mode, window counts and lifetime counters.
    public var stats: CascadePreventorStats {
        read { machine, now in machine.stats(now: now) }
    }

    // MARK: - Observing

    /// Calls `handler` with every event from now on, synchronously and outside the preventor's lock.
    /// - Returns: an identifier for ``removeObserver(_:)``.
    @discardableResult
    public func addObserver(_ handler: @escaping @Sendable (CascadePreventorEvent) -> Void) -> ResilienceObserverID {
        shared.withLock { $0.observers.add(handler) }
    }

    /// Stops calling the observer `id`.
    public func removeObserver(_ id: ResilienceObserverID) {
        shared.withLock { $0.observers.remove(id) }
    }

    /// A stream of every event from now on; it ends when its consumer stops iterating.
    public func events(
        bufferingPolicy: AsyncStream<CascadePreventorEvent>.Continuation.BufferingPolicy = .unbounded
    ) -> AsyncStream<CascadePreventorEvent> {
        ObserverList.stream(
            bufferingPolicy: bufferingPolicy, add: { addObserver($0) },
            remove: { [weak self] id in self?.removeObserver(id) })
    }

    // MARK: - Internals

    typealias Handlers = ObserverList<CascadePreventorEvent>.Snapshot

    /// Applies `change` to the state machine under the lock, at the clock's current instant.
    func update<Value>(
        _ change: (inout Machine, ClockOffset) -> (Value, CascadeModeChange?)
    ) -> (value: Value, change: CascadeModeChange?, observers: Handlers?) {
        let now = reader.offsetNow
        return shared.withLock { shared in
            let (value, modeChange) = change(&shared.machine, now)
            return (value, modeChange, shared.observers.snapshot)
        }
    }

    /// ``update(_:)`` for reads: delivers the mode change the read resolved, if any.
    func read<Value>(_ body: (inout Machine, ClockOffset) -> (Value, CascadeModeChange?)) -> Value {
        let (value, change, observers) = update(body)
        deliver(change.map { [.modeChanged($0)] } ?? [], to: observers)
        return value
    }

    func deliver(_ events: [CascadePreventorEvent], to observers: Handlers?) {
        for case .modeChanged(let change) in events { telemetry.changed(change) }
        ObserverList.deliver(events, to: observers)
    }
}

/// Something a ``CascadePreventor`` did, delivered to its observers.
public enum CascadePreventorEvent: Sendable, Hashable {
    /// Fast-fail started, was extended, or ended.
    case modeChanged(CascadeModeChange)
    /// A call of this priority was rejected in fast-fail mode.
    case callRejected(Priority)
}

/// A ``CascadePreventor``'s lifetime counters and current window.
public struct CascadePreventorStats: Sendable, Hashable {
    /// The current mode.
    public var mode: CascadeMode
    /// Calls (successes and failures) in the window.
    public var callsInWindow: Int
    /// Failures in the window.
    public var failuresInWindow: Int
    /// Calls rejected since creation.
    public var rejectedCalls: Int
    /// How many times fast-fail started since creation.
    public var fastFailCount: Int
}

extension CascadePreventorStats: CustomStringConvertible {
    /// One line for a log, for example `fastFail; window 40 calls, 25 failed; since creation 3
    /// fast-fail periods, 118 rejected`.
    public var description: String {
        "\(mode); window \(callsInWindow) calls, \(failuresInWindow) failed; since creation \(fastFailCount) fast-fail "
            + "periods, \(rejectedCalls) rejected"
    }
}
