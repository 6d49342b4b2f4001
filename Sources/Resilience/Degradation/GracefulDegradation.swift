import Logging
import Metrics

/// The service's degradation level — `normal`, `degraded` or `critical` — derived from the states of
/// circuit breakers and cascade preventors by configurable rules, so that an operation can run a
/// cheaper variant when dependencies are in trouble.
///
/// ```swift
/// let degradation = GracefulDegradation(
///     name: "checkout",
///     inputs: [.breaker(recommendationsBreaker), .breaker(llmBreaker), .cascade(storage)])
///
/// let summary = try await degradation.execute(
///     normal: { try await llm.summarize(order) },          // the full variant
///     degraded: { try await templates.summary(of: order) }, // cheaper: no LLM call
///     critical: { order.title })                           // the cheapest
/// ```
///
/// The level follows the rules of `GracefulDegradationStateMachine` (the highest level among the
/// rules that hold; ``DegradationRule/defaults`` unless given). It is re-derived whenever a watched
/// policy reports a state change, and whenever ``level`` is read, so a breaker whose break has elapsed
/// (which turns half-open without an event until it is next used) is seen as soon as anyone asks.
/// Every change is delivered to observers as a ``DegradationLevelChange``, to the
/// `resilience_degradation_level` gauge and to the log. An operator can force a level with
/// ``override(_:)``.
///
/// Concurrency: the inputs are read outside the lock (a breaker's read may itself deliver events);
/// each evaluation takes a ticket first, and a result is applied only if no later-ticketed evaluation
/// was applied before it, so the level always ends as the newest evaluation saw the inputs.
public final class GracefulDegradation: Sendable {
    struct Shared: Sendable {
        var machine: GracefulDegradationStateMachine
        var observers = ObserverList<DegradationLevelChange>()
        /// The ticket of the next evaluation, and of the newest evaluation applied.
        var nextTicket: UInt64 = 0
        var appliedTicket: UInt64 = 0
    }

    /// The name used in metrics labels and logs.
    public let name: String
    /// The policies watched, in the order given.
    public let inputs: [DegradationInput]

    let shared: Locked<Shared>
    let telemetry: DegradationTelemetry

    /// Creates a degradation level over `inputs` and starts watching them.
    /// - Parameters:
    ///   - name: a low-cardinality name for metrics and logs.
    ///   - inputs: the breakers and cascade preventors to watch; names must be unique per kind.
    ///   - rules: how the level is derived; ``DegradationRule/defaults`` unless given.
    ///   - logger: receives level changes; by default nothing is logged.
    ///   - metricsFactory: where the metrics go; by default `MetricsSystem.factory`.
    ///
    /// An invalid configuration stops the process with a message naming the key: a configuration written
    /// in code must be valid (see ``ConfigurationError``).
    public init(
        name: String,
        inputs: [DegradationInput],
        rules: [DegradationRule] = DegradationRule.defaults,
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        ConfigurationError.required("GracefulDegradation \"\(name)\"") { () throws(ConfigurationError) in try Self.validate(inputs: inputs, rules: rules) }
        self.name = name
        self.inputs = inputs
        shared = Locked(Shared(machine: GracefulDegradationStateMachine(rules: rules)))
        telemetry = DegradationTelemetry(
            policyName: name,
            sinks: TelemetrySinks(logger: logger, metricsFactory: metricsFactory))
        for input in inputs {
            input.subscribe { [weak self] in self?.reevaluate() }
        }
        reevaluate()
    }

    /// The current level, derived from the inputs' current states.
    public var level: DegradationLevel {
        reevaluate()
        return shared.withLock { $0.machine.level }
    }

    /// The inputs' current states.
    public var snapshot: DegradationSnapshot {
        var snapshot = DegradationSnapshot()
        for input in inputs {
            switch input.kind {
            case .breaker(let read): snapshot.breakers[input.name] = read()
            case .cascade(let read): snapshot.cascades[input.name] = read()
            }
        }
        return snapshot
    }

    /// Forces the level to `level` until it is called again; `nil` goes back to the derived level.
    public func override(_ level: DegradationLevel?) {
        evaluate { machine, snapshot in machine.override(level, snapshot: snapshot) }
    }

    /// Runs the variant for the current level. A level without a variant runs the variant of the
    /// nearest better level that has one: `critical` falls back to `degraded`, then to `normal`.
    public nonisolated(nonsending) func execute<Value>(
        normal: nonisolated(nonsending) () async throws -> Value,
        degraded: (nonisolated(nonsending) () async throws -> Value)? = nil,
        critical: (nonisolated(nonsending) () async throws -> Value)? = nil
    ) async throws -> Value {
        switch level {
        case .critical:
            if let critical { return try await critical() }
            if let degraded { return try await degraded() }
        case .degraded:
            if let degraded { return try await degraded() }
        case .normal:
            break
        }
        return try await normal()
    }

    // MARK: - Observing

    /// Calls `handler` with every level change from now on, synchronously and outside the lock.
    /// - Returns: an identifier for ``removeObserver(_:)``.
    @discardableResult
    public func addObserver(_ handler: @escaping @Sendable (DegradationLevelChange) -> Void) -> ResilienceObserverID {
        shared.withLock { $0.observers.add(handler) }
    }

    /// Stops calling the observer `id`.
    public func removeObserver(_ id: ResilienceObserverID) {
        shared.withLock { $0.observers.remove(id) }
    }

    /// A stream of every level change from now on; it ends when its consumer stops iterating.
    public func events(
        bufferingPolicy: AsyncStream<DegradationLevelChange>.Continuation.BufferingPolicy = .unbounded
    ) -> AsyncStream<DegradationLevelChange> {
        ObserverList.stream(
            bufferingPolicy: bufferingPolicy, add: { addObserver($0) },
            remove: { [weak self] id in self?.removeObserver(id) })
    }

    // MARK: - Internals

    /// Derives the level from the inputs' current states.
    func reevaluate() {
        evaluate { machine, snapshot in machine.evaluate(snapshot) }
    }

    /// Reads the inputs outside the lock, then applies `change` under it unless a newer evaluation was
    /// applied meanwhile; delivers the change, if any.
    func evaluate(_ change: (inout GracefulDegradationStateMachine, DegradationSnapshot) -> DegradationLevelChange?) {
        let ticket = shared.withLock { shared in
            shared.nextTicket += 1
            return shared.nextTicket
        }
        let snapshot = self.snapshot
        let (levelChange, observers) = shared.withLock { shared -> (DegradationLevelChange?, ObserverList<DegradationLevelChange>.Snapshot?) in
            guard ticket > shared.appliedTicket else { return (nil, nil) }
            shared.appliedTicket = ticket
            return (change(&shared.machine, snapshot), shared.observers.snapshot)
        }
        guard let levelChange else { return }
        telemetry.changed(levelChange)
        ObserverList.deliver([levelChange], to: observers)
    }

    /// Checks `inputs` and `rules` as the initializer does, for ones that come from outside the code.
    /// - Throws: ``ConfigurationError`` naming `rules`, `rules.<rule>.<parameter>` or `inputs`.
    public static func validate(inputs: [DegradationInput], rules: [DegradationRule]) throws(ConfigurationError) {
        try ConfigurationError.check(!rules.isEmpty, "rules", "[]", "at least one rule")
        var breakers: Set<String> = []
        var cascades: Set<String> = []
        for input in inputs {
            switch input.kind {
            case .breaker:
                try ConfigurationError.check(
                    breakers.insert(input.name).inserted, "inputs", "breaker '\(input.name)' twice",
                    "each breaker name once")
            case .cascade:
                try ConfigurationError.check(
                    cascades.insert(input.name).inserted, "inputs", "cascade preventor '\(input.name)' twice",
                    "each preventor name once")
            }
        }
        for rule in rules {
            if let problem = rule.problem { throw problem.prefixingKey(with: "rules") }
            if let breaker = rule.watchedBreaker {
                try ConfigurationError.check(
                    breakers.contains(breaker), "rules", "\(rule.name) names an unwatched breaker",
                    "a breaker among the inputs: \(breakers.sorted())")
            }
            if let cascade = rule.watchedCascade {
                try ConfigurationError.check(
                    cascades.contains(cascade), "rules", "\(rule.name) names an unwatched cascade preventor",
                    "a preventor among the inputs: \(cascades.sorted())")
            }
        }
    }
}
