import Logging
import Metrics

/// A bulkhead: bounds how many calls to a dependency run at once, and how many wait for their turn.
///
/// ```swift
/// let llm = Bulkhead(name: "llm", configuration: BulkheadConfiguration(maxConcurrent: 10, maxQueued: 20))
/// do {
///     let answer = try await llm.execute { try await model.complete(prompt) }
/// } catch let error as ResilienceError where error.code == .bulkheadFull {
///     // every slot taken and the queue full (or maxWait elapsed in the queue): shed the call
/// }
/// ```
///
/// The rules live in `BulkheadStateMachine`; this class holds it under a lock, parks waiting calls
/// and wakes them. What a caller sees:
///
/// - A call admitted at once runs its operation and gives its slot back when the operation returns or
///   throws, whatever it throws (cancellation included): exactly once, on every path.
/// - A call that finds every slot taken waits in a first-in first-out queue when the queue has room,
///   and is otherwise rejected at once with ``ResilienceError/Code/bulkheadFull``.
/// - A waiting call gets the slot of the next call to finish, oldest waiter first. When `maxWait` is
///   set and elapses first, it is rejected with `bulkheadFull` (and leaves the queue at once).
/// - A waiting call whose task is cancelled leaves the queue at once, never takes a slot, and throws
///   `CancellationError`. If the cancellation races with the hand-over of a slot and the hand-over
///   wins, the slot is given back at once (to the next waiter) and the call still throws
///   `CancellationError` without running. A call that is admitted at once runs even if its task was
///   already cancelled, like every policy of this library: its operation decides what cancellation
///   means.
/// - ``ResilienceError/retryAfter`` is always `nil`: when a slot frees depends on how long the running
///   calls take, which the bulkhead does not know; any number would be a guess.
///
/// **Changing the capacity at run time** (``reconfigure(_:)``, ``setMaxConcurrent(_:)``) takes
/// effect at once. When `maxConcurrent` grows, waiters are admitted at once, oldest first, up to the
/// new capacity. When it shrinks, running calls are not interrupted: they finish, and no call (queued
/// or new) is admitted until fewer than the new capacity are in flight. When `maxQueued` shrinks,
/// queued calls keep their places; new arrivals are rejected until the queue is shorter than the new
/// bound. A new `maxWait` applies to calls that queue after the change.
///
/// **Cost.** A call admitted at once takes the lock once to enter and once to leave, reads no clock
/// and allocates nothing. A call that waits allocates its continuation (and with `maxWait`, a child
/// task sleeping on the clock until its deadline, cancelled as soon as the call is served); its wait is
/// timed on the clock for `resilience_bulkhead_queue_wait_seconds`. The operation runs on the caller's
/// executor (`nonisolated(nonsending)`).
///
/// In a ``ResiliencePipeline`` a bulkhead goes innermost, next to the operation (fallback ▸ retry ▸
/// circuit breaker ▸ timeout ▸ bulkhead), so that it bounds the work actually sent and a timeout also
/// bounds the time spent waiting in its queue (a timeout cancels the waiting call).
public final class Bulkhead<C: Clock>: ResiliencePolicy where C.Duration == Duration {
    @usableFromInline typealias Ticket = BulkheadStateMachine.Ticket

    /// How a queued call's wait ended.
    @usableFromInline
    enum WaitOutcome: Sendable {
        case admitted
        case expired
        case cancelled
        /// The call's own deadline (``acquireSlot(until:)``) came before a slot: it left the queue as a
        /// cancelled call does.
        case deadlineReached
    }

    /// Everything behind the lock.
    @usableFromInline
    struct Shared: HoldsWaiters {
        @usableFromInline var machine: BulkheadStateMachine
        /// The queued calls: every ticket the machine holds as waiting.
        @usableFromInline var waiters = Waiters<WaitOutcome>()
        @usableFromInline var configuration: BulkheadConfiguration

        init(machine: BulkheadStateMachine, configuration: BulkheadConfiguration) {
            self.machine = machine
            self.configuration = configuration
        }

        /// Admits, queues or rejects a call; `nil` when a bulkhead in shadow mode would not have admitted
        /// it at once (the call runs without a slot; a rejection is counted and logged).
        @inlinable
        mutating func acquire(_ telemetry: BulkheadTelemetry) -> BulkheadStateMachine.Decision? {
            if configuration.mode == .shadow && machine.inFlight >= machine.maxConcurrent {
                // Nothing queues in shadow mode, so a full bulkhead would queue while its queue has room.
                if machine.queued >= machine.maxQueued { telemetry.shadow.record(BulkheadRejectionReason.full.rawValue) }
                return nil
            }
            let decision = machine.acquire()
            if case .enqueued(let ticket) = decision { waiters.enqueue(ticket.number) }
            if telemetry.recordsOccupancy { recordOccupancy(telemetry) }
            return decision
        }

        /// Gives a slot back; returns the continuation of the waiter that now holds it, to resume
        /// (`admitted`) outside the lock.
        @inlinable
        mutating func release(_ telemetry: BulkheadTelemetry) -> Waiters<WaitOutcome>.Continuation? {
            let next = machine.release()
            if telemetry.recordsOccupancy { recordOccupancy(telemetry) }
            guard let next else { return nil }
            return waiters.settle(next.number, with: .admitted)
        }

        @usableFromInline
        func recordOccupancy(_ telemetry: BulkheadTelemetry) {
            telemetry.occupancy(inFlight: machine.inFlight, queued: machine.queued)
        }
    }

    /// The name used in errors, metrics labels and logs. Keep it low-cardinality.
    public let name: String

    /// Reads the clock `maxWait` and queue waits are measured on.
    @usableFromInline let reader: ClockReader<C>
    @usableFromInline let shared: Locked<Shared>
    @usableFromInline let telemetry: BulkheadTelemetry

    /// Creates an empty bulkhead.
    /// - Parameters:
    ///   - name: a low-cardinality name for errors, metrics and logs (e.g. `"llm"`).
    ///   - configuration: the limits; validated here.
    ///   - clock: the clock `maxWait` and queue waits are measured on; `ContinuousClock` by default.
    ///   - logger: receives capacity changes (`info`) and rejections (`debug`); by default nothing is
    ///     logged.
    ///   - metricsFactory: where the metrics go; by default the factory `MetricsSystem` is bootstrapped
    ///     with at the time the bulkhead is created.
    ///
    /// An invalid configuration stops the process with a message naming the key: a configuration
    /// written in code must be valid (see ``ConfigurationError``).
    public init(
        name: String,
        configuration: BulkheadConfiguration = BulkheadConfiguration(),
        clock: C = ContinuousClock(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        let machine = ConfigurationError.required("Bulkhead \"\(name)\"") {
            () throws(ConfigurationError) in try BulkheadStateMachine(configuration: configuration)
        }
        self.name = name
        self.reader = ClockReader(clock: clock)
        self.shared = Locked(Shared(machine: machine, configuration: configuration))
        self.telemetry = BulkheadTelemetry(
            policyName: name,
            sinks: TelemetrySinks(logger: logger, metricsFactory: metricsFactory),
            maxConcurrent: configuration.maxConcurrent)
    }

    // MARK: - Executing

    /// Runs `operation` in a slot of the bulkhead, waiting for one if the configuration allows it.
    ///
    /// - Returns: what `operation` returned.
    /// - Throws: what `operation` threw, unchanged; ``ResilienceError`` with code
    ///   ``ResilienceError/Code/bulkheadFull`` when the call was rejected (no slot and no room in the
    ///   queue, or `maxWait` elapsed in the queue) without running; `CancellationError` when the call
    ///   was cancelled while it waited, without running.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        _ operation: nonisolated(nonsending) () async throws -> Value
    ) async throws -> Value {
        switch shared.withLock({ $0.acquire(telemetry) }) {
        case .admitted:
            break
        case .enqueued(let ticket):
            try await waitForSlot(ticket)
        case .rejected:
            throw rejection(.full)
        case nil:
            return try await operation()  // shadow mode: no slot was taken
        }
        defer { release() }
        return try await operation()
    }

    /// Runs `operation`, with `context`, through the bulkhead: see ``execute(_:)``.
    @inlinable @inline(__always)
    public nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        try await execute { try await operation(context) }
    }

    /// Gives a slot back, handing it to the oldest waiter if there is one.
    @inlinable
    func release() {
        shared.withLock { $0.release(telemetry) }?.resume(returning: .admitted)
    }

    /// Waits, queued with `ticket`, until the call holds a slot; throws when it will not get one.
    @usableFromInline
    nonisolated(nonsending) func waitForSlot(_ ticket: Ticket) async throws {
        if try await waitForSlot(ticket, callDeadline: nil) == .deadlineReached {
            preconditionFailure("a wait without a call deadline cannot reach one")
        }
    }

    /// Waits, queued with `ticket`, until the call holds a slot (`admitted`) or `callDeadline` comes first
    /// (`deadlineReached`: the call left the queue as a cancelled one does); throws when `maxWait`
    /// elapses first (`bulkheadFull`) or the task is cancelled.
    nonisolated(nonsending) func waitForSlot(_ ticket: Ticket, callDeadline: C.Instant?) async throws -> WaitOutcome {
        let start = reader.offsetNow
        let maxWait = shared.withLock { $0.configuration.maxWait }
        let maxWaitEnd = maxWait.map { reader.instant(at: start.advanced(by: $0)) }
        // The earlier of the two ends the wait; at a tie, the call's deadline (the caller is out of time).
        let deadlineFirst: Bool
        let until: C.Instant?
        switch (maxWaitEnd, callDeadline) {
        case (nil, nil): (deadlineFirst, until) = (false, nil)
        case (let end?, nil): (deadlineFirst, until) = (false, end)
        case (nil, let deadline?): (deadlineFirst, until) = (true, deadline)
        case (let end?, let deadline?): (deadlineFirst, until) = deadline <= end ? (true, deadline) : (false, end)
        }
        let outcome = await shared.wait(
            for: ticket.number, until: until, on: reader.clock,
            expire: { self.leaveQueue(ticket, deadlineFirst ? .deadlineReached : .expired) },
            cancel: { self.leaveQueue(ticket, .cancelled) })
        switch outcome {
        case .admitted:
            telemetry.waited(start.duration(to: reader.offsetNow))
            if Task.isCancelled {
                // Cancelled, but the slot was handed over first: give it to the next waiter.
                release()
                throw CancellationError()
            }
        case .expired:
            throw rejection(.maxWaitElapsed)
        case .cancelled:
            throw CancellationError()
        case .deadlineReached:
            break
        }
        return outcome
    }

    /// Takes a waiting call out of the queue, `expired` (its `maxWait` elapsed), `cancelled`, or at its
    /// own deadline (`deadlineReached`, counted as a cancelled waiter: what a timeout policy outside the
    /// bulkhead does to a call waiting past its limit), unless it was already handed a slot.
    func leaveQueue(_ ticket: Ticket, _ outcome: WaitOutcome) {
        let (left, continuation) = shared.withLock { shared -> (Bool, Waiters<WaitOutcome>.Continuation?) in
            let left = outcome == .expired ? shared.machine.expire(ticket) : shared.machine.cancel(ticket)
            guard left else { return (false, nil) }
            if telemetry.recordsOccupancy { shared.recordOccupancy(telemetry) }
            return (true, shared.waiters.settle(ticket.number, with: outcome))
        }
        guard left else { return }
        if outcome == .cancelled || outcome == .deadlineReached { telemetry.cancelledWhileQueued() }
        continuation?.resume(returning: outcome)
    }

    // MARK: - Holding a slot beyond one call (package API)

    /// How ``acquireSlot(until:)`` ended when it did not throw.
    package enum SlotAcquisition: Sendable, Hashable {
        /// A slot is held: give it back with ``releaseSlot()``, exactly once.
        case acquired
        /// The bulkhead is in shadow mode and took no slot (a rejection it would have made is counted):
        /// there is nothing to give back.
        case notTaken
        /// The call waited in the queue until `deadline` without getting a slot; it left the queue (counted
        /// as a cancelled waiter) and holds nothing.
        case deadlineReached
    }

    /// Takes a slot for work that outlives one `execute` — a streamed HTTP response whose body is read
    /// after the call that started it returned — with the rules of ``execute(_:)``: admitted at once,
    /// queued (first in, first out) while the queue has room, rejected otherwise. A queued call waits at
    /// most until `deadline` (and `maxWait`).
    ///
    /// - Returns: ``SlotAcquisition/acquired``: call ``releaseSlot()`` exactly once when the work ends,
    ///   on every path.
    /// - Throws: ``ResilienceError`` `bulkheadFull` when rejected (no room, or `maxWait` elapsed first);
    ///   `CancellationError` when the task is cancelled while queued.
    package nonisolated(nonsending) func acquireSlot(until deadline: C.Instant?) async throws -> SlotAcquisition {
        switch shared.withLock({ $0.acquire(telemetry) }) {
        case .admitted:
            return .acquired
        case .enqueued(let ticket):
            return try await waitForSlot(ticket, callDeadline: deadline) == .admitted ? .acquired : .deadlineReached
        case .rejected:
            throw rejection(.full)
        case nil:
            return .notTaken
        }
    }

    /// Gives back a slot taken with ``acquireSlot(until:)`` (handing it to the oldest waiter, if any).
    package func releaseSlot() {
        release()
    }

    /// The rejection error, counted and logged.
    @usableFromInline
    func rejection(_ reason: BulkheadRejectionReason) -> ResilienceError {
        telemetry.rejected(reason)
        ResilienceSpan.rejected(policy: name, code: .bulkheadFull)
        return ResilienceError(code: .bulkheadFull, policyName: name)
    }

    // MARK: - Changing the capacity

    /// Runs with `configuration` from now on, keeping every call where it is (a hot reload): when
    /// `maxConcurrent` grows, waiters are admitted at once, oldest first; when it shrinks, running calls
    /// keep their slots and finish, and nobody is admitted until fewer than the new limit are in flight;
    /// when `maxQueued` shrinks below the queue, the waiters keep their places and arrivals are rejected
    /// until the queue is shorter; a new `maxWait` applies to calls queued from now on (a waiter keeps
    /// the deadline it was queued with).
    /// - Throws: ``ConfigurationError`` naming the invalid key; nothing changes then.
    public func reconfigure(_ configuration: BulkheadConfiguration) throws(ConfigurationError) {
        try change { _ in configuration }
    }

    /// Changes only `maxConcurrent`: waiters are admitted at once when it grows; running calls finish
    /// when it shrinks, and nobody is admitted until fewer than `newValue` are in flight.
    /// - Throws: ``ConfigurationError`` (key `maxConcurrent`) when out of range; nothing changes then.
    public func setMaxConcurrent(_ newValue: Int) throws(ConfigurationError) {
        try change { current in
            var changed = current
            changed.maxConcurrent = newValue
            return changed
        }
    }

    private func change(
        _ change: (BulkheadConfiguration) -> BulkheadConfiguration
    ) throws(ConfigurationError) {
        let (configuration, admitted, continuations) = try shared.withLock {
            (shared) throws(ConfigurationError) -> (BulkheadConfiguration, Int, [Waiters<WaitOutcome>.Continuation]) in
            let configuration = change(shared.configuration)
            let tickets = try shared.machine.reconfigure(configuration)
            shared.configuration = configuration
            if telemetry.recordsOccupancy { shared.recordOccupancy(telemetry) }
            // Every ticket is admitted; only the waiters already suspended have a continuation (the
            // others find their outcome when they suspend).
            return (configuration, tickets.count, tickets.compactMap { shared.waiters.settle($0.number, with: .admitted) })
        }
        telemetry.reconfigured(configuration, admittedWaiters: admitted)
        for continuation in continuations { continuation.resume(returning: .admitted) }
    }

    // MARK: - Reading

    /// The current limits.
    public var configuration: BulkheadConfiguration { shared.withLock { $0.configuration } }

    /// Limits, current occupancy and lifetime counts, read at one instant.
    public var stats: BulkheadStats { shared.withLock { $0.machine.stats } }

    /// Calls holding a slot now.
    public var inFlight: Int { shared.withLock { $0.machine.inFlight } }

    /// Calls waiting for a slot now.
    public var queued: Int { shared.withLock { $0.machine.queued } }
}

/// Why a bulkhead rejected a call with ``ResilienceError/Code/bulkheadFull``: the value of the `reason`
/// label of `resilience_bulkhead_rejections_total`.
public enum BulkheadRejectionReason: String, Sendable, Hashable, CaseIterable {
    /// Every slot was taken and the queue was full (or the bulkhead does not queue): rejected at once.
    case full
    /// The call waited `maxWait` in the queue without getting a slot.
    case maxWaitElapsed
}

extension Bulkhead {
    /// Creates a bulkhead of `maxConcurrent` calls, with `maxQueued` more waiting (none by default):
    /// `Bulkhead(name: "llm", maxConcurrent: 10)` is
    /// `Bulkhead(name: "llm", configuration: BulkheadConfiguration(maxConcurrent: 10))`.
    ///
    /// An invalid limit stops the process with a message naming the key (see ``ConfigurationError``).
    public convenience init(
        name: String, maxConcurrent: Int, maxQueued: Int = 0, clock: C = ContinuousClock(), logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.init(
            name: name, configuration: BulkheadConfiguration(maxConcurrent: maxConcurrent, maxQueued: maxQueued),
            clock: clock, logger: logger, metricsFactory: metricsFactory)
    }
}
