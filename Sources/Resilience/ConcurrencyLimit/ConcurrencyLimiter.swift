import Logging
import Metrics

/// An adaptive concurrency limit: admits at most ``limit`` calls at a time, and moves the limit with
/// the latency and drops it observes (AIMD, Gradient2 or Vegas, as in Netflix's concurrency-limits).
///
/// ```swift
/// let limiter = ConcurrencyLimiter(
///     name: "search",
///     configuration: ConcurrencyLimitConfiguration(algorithm: .aimd(.init(timeout: .milliseconds(250)))))
/// do {
///     let hits = try await limiter.execute { try await index.search(query) }
/// } catch let error as ResilienceError where error.code == .loadShed {
///     // too much in flight: answer 503 (error.retryAfter is nil: the limiter cannot know when a slot frees)
/// }
/// ```
///
/// The logic lives in `ConcurrencyLimiterStateMachine` (see its rules); this class is a thin shell
/// that reads the clock, holds a lock only around the state machine, runs the operation outside the
/// lock, and measures the call's latency on the clock.
///
/// Samples:
/// - a returned value is a success, unless the classifier counts it as a failure: then it is a drop;
/// - a thrown `ResilienceError.timedOut` is a drop (the dependency was too slow), whatever the
///   classifier says;
/// - a thrown `CancellationError` is not a sample (it frees the slot and says nothing about the
///   dependency), whatever the classifier says;
/// - any other thrown error is a drop when the classifier counts it as a failure, not a sample when
///   it counts it as ignored, and a success when it counts it as a success.
///
/// Calls beyond the limit are rejected with ``ResilienceError/Code/loadShed`` (`retryAfter` is `nil`),
/// or, with `maxQueued > 0`, wait in a LIFO queue: the newest waiter gets the next slot; a full queue
/// evicts its oldest waiter; a waiter is rejected after `maxWait`; a cancelled waiter leaves the queue
/// at once and throws `CancellationError`. A waiter admitted while its task is being cancelled gives
/// its slot back and throws `CancellationError` rather than starting the operation.
///
/// Cost: an admitted call takes the lock once to enter and once to leave, reads the clock at both
/// ends, and allocates nothing; the operation runs on the caller's executor
/// (`nonisolated(nonsending)`). A call that has to wait allocates its continuation and a child task
/// that expires it at `maxWait`.
public final class ConcurrencyLimiter<C: Clock>: ResiliencePolicy where C.Duration == Duration {
    /// The state machine, on the reader's offsets rather than `C.Instant` (see ``ClockOffset``).
    @usableFromInline
    typealias Machine = ConcurrencyLimiterStateMachine

    /// How a queued call's wait ends: with its token, or with the error to throw.
    @usableFromInline
    typealias WaitOutcome = Result<Machine.Token, any Error>

    @usableFromInline
    struct Shared: HoldsWaiters {
        @usableFromInline var machine: Machine
        /// The queued calls: every ticket the machine holds in its queue.
        @usableFromInline var waiters = Waiters<WaitOutcome>()

        init(machine: Machine) { self.machine = machine }
    }

    /// Continuations to resume outside the lock, each with its outcome.
    @usableFromInline
    typealias Wakeups = [(continuation: Waiters<WaitOutcome>.Continuation, outcome: WaitOutcome)]

    /// What the lock decided for an arriving call.
    @usableFromInline
    enum Entry {
        case admitted(Machine.Token)
        case enqueued(Machine.Ticket, evicted: Waiters<WaitOutcome>.Continuation?)
        case rejected
        /// In shadow mode, a call the limiter would not admit at once: it runs without a slot.
        case shadowed
    }

    /// The name used in errors, metrics labels and logs. Keep it low-cardinality.
    public let name: String
    /// Decides which errors and results are drops.
    public let classifier: FailureClassifier

    /// Reads the clock the latencies and queue deadlines are measured on.
    @usableFromInline let reader: ClockReader<C>
    @usableFromInline let shared: Locked<Shared>
    @usableFromInline let telemetry: ConcurrencyLimitTelemetry

    /// Creates a limiter at `configuration.initialLimit` with nothing in flight.
    /// - Parameters:
    ///   - name: a low-cardinality name for errors, metrics and logs (e.g. `"search"`).
    ///   - configuration: algorithm, bounds and queue; validated here.
    ///   - classifier: which errors and results are drops.
    ///   - clock: the clock latencies and queue deadlines are measured on; `ContinuousClock` by default.
    ///   - randomSeed: seeds the jitter of Gradient2's and Vegas' probe; `nil` draws one from the system
    ///     generator.
    ///   - logger: receives limit changes at `debug`; by default nothing is logged.
    ///   - metricsFactory: where the metrics go; by default the bootstrapped `MetricsSystem` factory.
    ///
    /// An invalid configuration stops the process with a message naming the key: a configuration written
    /// in code must be valid (see ``ConfigurationError``).
    public init(
        name: String,
        configuration: ConcurrencyLimitConfiguration = ConcurrencyLimitConfiguration(),
        classifier: FailureClassifier = .default,
        clock: C = ContinuousClock(),
        randomSeed: UInt64? = nil,
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        let machine = ConfigurationError.required("ConcurrencyLimiter \"\(name)\"") { () throws(ConfigurationError) in
            try Machine(configuration: configuration, randomSeed: randomSeed ?? UInt64.random(in: .min ... .max))
        }
        self.name = name
        self.classifier = classifier
        self.reader = ClockReader(clock: clock)
        self.shared = Locked(Shared(machine: machine))
        self.telemetry = ConcurrencyLimitTelemetry(
            policyName: name,
            sinks: TelemetrySinks(logger: logger, metricsFactory: metricsFactory),
            initialLimit: machine.limit)
    }

    // MARK: - Executing

    /// Runs `operation` when the limit admits it, and samples its latency and outcome.
    /// - Returns: what `operation` returned.
    /// - Throws: what `operation` threw, unchanged; ``ResilienceError/Code/loadShed`` when the call was
    ///   rejected (limit reached without a queue, evicted from a full queue, or `maxWait` elapsed);
    ///   `CancellationError` when the task was cancelled while waiting.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        _ operation: nonisolated(nonsending) () async throws -> Value
    ) async throws -> Value {
        let entry = enter()
        let token: Machine.Token
        switch entry {
        case .admitted(let admitted): token = admitted
        case .shadowed: return try await operation()  // neither a slot nor a sample
        case .enqueued, .rejected: token = try await waitOrReject(entry)
        }
        let value: Value
        do {
            value = try await operation()
        } catch {
            release(token, outcome: outcome(of: error))
            throw error
        }
        release(token, outcome: Machine.Outcome(classifier.classify(result: value)))
        return value
    }

    /// Runs `operation`, with `context`, through the limiter: see ``execute(_:)``.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        try await execute { try await operation(context) }
    }

    // MARK: - Reading

    /// The current limit.
    public var limit: Int { shared.withLock { $0.machine.limit } }
    /// The configuration the limiter runs with: the one it was created with, or the last one
    /// ``reconfigure(_:)`` applied.
    public var configuration: ConcurrencyLimitConfiguration { shared.withLock { $0.machine.configuration } }
    /// Calls admitted and not yet finished.
    public var inFlight: Int { shared.withLock { $0.machine.inFlight } }
    /// Calls waiting for a slot.
    public var queued: Int { shared.withLock { $0.machine.queued } }

    // MARK: - Admission

    /// Asks the state machine for a slot now (one lock): the admitted path, synchronous, so that it adds
    /// no executor hop. Anything but an admission goes to ``waitOrReject(_:)``.
    @inlinable
    func enter() -> Entry {
        let now = reader.offsetNow
        return shared.withLock { shared -> Entry in
            if shared.machine.configuration.mode == .shadow && shared.machine.inFlight >= shared.machine.limit {
                // Nothing queues in shadow mode: a call beyond the limit would queue while the queue has room.
                if shared.machine.configuration.maxQueued == 0 {
                    telemetry.shadow.record(ConcurrencyLimitTelemetry.RejectionReason.limitReached.rawValue)
                }
                return .shadowed
            }
            switch shared.machine.acquire(now: now) {
            case .admitted(let token):
                telemetry.inFlight(shared.machine.inFlight)
                return .admitted(token)
            case .enqueued(let ticket, let evicted):
                return Self.enqueue(ticket, evicting: evicted, in: &shared, telemetry: telemetry, policyName: name)
            case .rejected:
                return .rejected
            }
        }
    }

    /// Completes an entry that was not an admission at once: waits in the queue (waking the waiter it
    /// evicted), or throws the rejection.
    @usableFromInline
    nonisolated(nonsending) func waitOrReject(_ entry: Entry) async throws -> Machine.Token {
        switch entry {
        case .admitted(let token):
            return token
        case .enqueued(let ticket, let evicted):
            evicted?.resume(returning: .failure(rejection))
            return try await waitForAdmission(ticket)
        case .rejected:
            telemetry.rejected(.limitReached)
            ResilienceSpan.rejected(policy: name, code: .loadShed)
            throw rejection
        case .shadowed:
            preconditionFailure("a shadowed call runs without waiting")
        }
    }

    /// The error of every rejection.
    @usableFromInline
    var rejection: ResilienceError { ResilienceError(code: .loadShed, policyName: name, retryAfter: nil) }

    /// Registers a queued waiter, and settles the evicted one (under the lock).
    @usableFromInline
    static func enqueue(
        _ ticket: Machine.Ticket, evicting evicted: Machine.Ticket?, in shared: inout Shared,
        telemetry: ConcurrencyLimitTelemetry, policyName: String
    ) -> Entry {
        shared.waiters.enqueue(ticket.id)
        var evictedContinuation: Waiters<WaitOutcome>.Continuation?
        if let evicted {
            telemetry.rejected(.queueFull)
            let error = ResilienceError(code: .loadShed, policyName: policyName, retryAfter: nil)
            evictedContinuation = shared.waiters.settle(evicted.id, with: .failure(error))
        }
        telemetry.queued(shared.machine.queued)
        return .enqueued(ticket, evicted: evictedContinuation)
    }

    /// Waits for the queued call's slot, its eviction, its deadline or its task's cancellation.
    @usableFromInline
    nonisolated(nonsending) func waitForAdmission(_ ticket: Machine.Ticket) async throws -> Machine.Token {
        let outcome = await shared.wait(
            for: ticket.id, until: reader.instant(at: ticket.deadline), on: reader.clock,
            expire: { self.expire(ticket) }, cancel: { self.cancel(ticket) })
        guard case .success(let token) = outcome else {
            // Evicted from the queue or expired: the rejection reaches this call's span from its own task.
            if case .failure(let error as ResilienceError) = outcome { ResilienceSpan.rejected(policy: name, code: error.code) }
            return try outcome.get()
        }
        if Task.isCancelled {
            // Admitted while being cancelled: give the slot back rather than start the operation.
            release(token, outcome: .ignored)
            throw CancellationError()
        }
        return token
    }

    /// Rejects the waiter if it is still queued at its deadline.
    func expire(_ ticket: Machine.Ticket) {
        // The sleep ended at the deadline: the waiter is due even if a clock reads a hair early.
        let now = max(reader.offsetNow, ticket.deadline)
        let continuation = shared.withLock { shared -> Waiters<WaitOutcome>.Continuation? in
            guard shared.machine.expire(ticket, now: now) else { return nil }
            telemetry.rejected(.queueTimeout)
            telemetry.queued(shared.machine.queued)
            return shared.waiters.settle(ticket.id, with: .failure(rejection))
        }
        continuation?.resume(returning: .failure(rejection))
    }

    /// Takes a cancelled waiter out of the queue, if it is still there.
    func cancel(_ ticket: Machine.Ticket) {
        let continuation = shared.withLock { shared -> Waiters<WaitOutcome>.Continuation? in
            guard shared.machine.cancel(ticket) else { return nil }
            telemetry.queued(shared.machine.queued)
            return shared.waiters.settle(ticket.id, with: .failure(CancellationError()))
        }
        continuation?.resume(returning: .failure(CancellationError()))
    }

    // MARK: - Release

    /// The sample a thrown error makes: see the type's documentation.
    @inlinable
    func outcome(of error: any Error) -> Machine.Outcome {
        if error is CancellationError { return .ignored }
        if let rejection = error as? ResilienceError, rejection.code == .timedOut { return .dropped }
        return Machine.Outcome(classifier.classify(error: error))
    }

    /// Ends an admitted call (one lock): samples it, and wakes the waiters the release settled.
    @inlinable
    func release(_ token: Machine.Token, outcome: Machine.Outcome) {
        let now = reader.offsetNow
        let (limitChange, wakeups) = shared.withLock {
            shared -> ((from: Int, to: Int)?, Wakeups) in
            let previous = shared.machine.limit
            let result = shared.machine.release(token, outcome: outcome, now: now)
            var wakeups: Wakeups = []
            if !result.admitted.isEmpty || !result.expired.isEmpty {
                wakeups = Self.settle(result, in: &shared, telemetry: telemetry, rejection: rejection)
            }
            return (Self.limitChange(result, from: previous, in: shared, telemetry: telemetry), wakeups)
        }
        deliver(limitChange, wakeups)
    }

    // MARK: - Reconfiguring

    /// Runs with `configuration` from now on, keeping the calls and what was learnt (a hot reload):
    /// - **The limit** stays where the algorithm took it, moved into the new `minLimit...maxLimit`
    ///   (`initialLimit` applies only to a new limiter). The algorithm starts afresh at that limit
    ///   with the new parameters: its latency estimates (Gradient2's averages, Vegas' no-load latency)
    ///   are learnt again from the next samples.
    /// - **Calls in flight** keep their slots, and their samples count when they end.
    /// - **Waiters** keep their deadlines: those past it now expire; then the newest are admitted
    ///   while the limit has room; then the oldest beyond a shorter `maxQueued` are rejected (all that
    ///   are left when the queue is turned off), as a full queue would reject them.
    /// - Throws: ``ConfigurationError`` naming the invalid key; the limiter is then unchanged.
    public func reconfigure(_ configuration: ConcurrencyLimitConfiguration) throws(ConfigurationError) {
        let now = reader.offsetNow
        let (limitChange, wakeups) = try shared.withLock {
            (shared) throws(ConfigurationError) -> ((from: Int, to: Int)?, Wakeups) in
            let previous = shared.machine.limit
            let result = try shared.machine.reconfigure(configuration, now: now)
            let wakeups = Self.settle(result, in: &shared, telemetry: telemetry, rejection: rejection)
            return (Self.limitChange(result, from: previous, in: shared, telemetry: telemetry), wakeups)
        }
        deliver(limitChange, wakeups)
    }

    /// Records the calls in flight and a new limit (under the lock); returns the change to log.
    @inlinable
    static func limitChange(
        _ result: Machine.ReleaseResult, from previous: Int, in shared: Shared, telemetry: ConcurrencyLimitTelemetry
    ) -> (from: Int, to: Int)? {
        telemetry.inFlight(shared.machine.inFlight)
        guard result.limitChanged else { return nil }
        telemetry.limitGauge.record(result.limit)
        return (previous, result.limit)
    }

    /// Logs a limit change and resumes the settled waiters (after the lock).
    @inlinable
    func deliver(_ limitChange: (from: Int, to: Int)?, _ wakeups: Wakeups) {
        if let limitChange { telemetry.logLimitChange(from: limitChange.from, to: limitChange.to) }
        for wakeup in wakeups { wakeup.continuation.resume(returning: wakeup.outcome) }
    }

    /// Settles the waiters a release admitted or expired (under the lock).
    @usableFromInline
    static func settle(
        _ result: Machine.ReleaseResult, in shared: inout Shared, telemetry: ConcurrencyLimitTelemetry,
        rejection: ResilienceError
    ) -> Wakeups {
        var wakeups: Wakeups = []
        for admission in result.admitted {
            let outcome = WaitOutcome.success(admission.token)
            if let continuation = shared.waiters.settle(admission.ticket.id, with: outcome) {
                wakeups.append((continuation, outcome))
            }
        }
        for ticket in result.expired {
            if let continuation = shared.waiters.settle(ticket.id, with: .failure(rejection)) {
                wakeups.append((continuation, .failure(rejection)))
            }
        }
        for ticket in result.evicted {
            if let continuation = shared.waiters.settle(ticket.id, with: .failure(rejection)) {
                wakeups.append((continuation, .failure(rejection)))
            }
        }
        if !result.expired.isEmpty { telemetry.rejected(.queueTimeout, count: result.expired.count) }
        if !result.evicted.isEmpty { telemetry.rejected(.queueFull, count: result.evicted.count) }
        telemetry.queued(shared.machine.queued)
        return wakeups
    }
}
