import Synchronization
import Logging
import Metrics

/// The shell of every rate limiter (``RateLimiter``, ``SlidingWindowRateLimiter``,
/// ``KeyedRateLimiter``), generic over its state machine: reads the clock, holds the lock only around the
/// machine, counts each decision, throws a rejection, or sleeps until a reservation's instant and hands
/// the reservation back if the sleep is cancelled.
///
/// The admitted path is synchronous (``admit(_:cost:now:maxWait:)``): ``take(_:cost:)`` awaits
/// ``settle(_:key:)`` only for a decision that is not an admission, so that an admitted call adds no
/// executor hop before its operation.
@usableFromInline
struct RateLimitShell<C: Clock, Machine: RateLimitStateMachine>: ~Copyable, Sendable where C.Duration == Duration {
    @usableFromInline let name: String
    /// Reads the clock; the machine's offsets count from the limiter's creation.
    @usableFromInline let reader: ClockReader<C>
    /// The configured `maxWait`, in attoseconds as two halves: atomics, so that a reconfiguration can
    /// change it while calls run (read only for calls with a deadline).
    @usableFromInline let maxWaitHigh: Atomic<Int64>
    @usableFromInline let maxWaitLow: Atomic<UInt64>
    @usableFromInline let telemetry: RateLimiterTelemetry
    @usableFromInline let machine: Locked<Machine>
    /// Shadow mode (``PolicyMode/shadow``): a call that would be rejected runs, one that would wait runs
    /// at once. Read only for calls that are not admitted at once.
    let isShadow = Atomic<Bool>(false)

    init(
        name: String, machine: consuming sending Machine, maxWait: Duration, clock: C, logger: Logger?,
        metricsFactory: (any MetricsFactory)?
    ) {
        self.name = name
        maxWaitHigh = Atomic(0)
        maxWaitLow = Atomic(0)
        reader = ClockReader(clock: clock)
        telemetry = RateLimiterTelemetry(
            policyName: name, sinks: TelemetrySinks(logger: logger, metricsFactory: metricsFactory))
        self.machine = Locked(machine)
        setMaxWait(maxWait)
    }

    /// The configured `maxWait`.
    @inlinable
    var maxWait: Duration {
        Duration(attoseconds: Int128(maxWaitHigh.load(ordering: .relaxed)) << 64 | Int128(maxWaitLow.load(ordering: .relaxed)))
    }

    /// Turns shadow mode on or off.
    func setMode(_ mode: PolicyMode) {
        isShadow.store(mode == .shadow, ordering: .relaxed)
    }

    /// Changes the configured `maxWait` (the machine's own copy is changed by its reconfiguration).
    func setMaxWait(_ maxWait: Duration) {
        maxWaitHigh.store(Int64(truncatingIfNeeded: maxWait.attoseconds >> 64), ordering: .relaxed)
        maxWaitLow.store(UInt64(truncatingIfNeeded: maxWait.attoseconds), ordering: .relaxed)
    }

    /// Takes `cost` permits of `key`'s bucket, waiting at most `maxWait`: at once, after waiting for a
    /// reservation, or not at all (throws). The admitted path does not suspend: once this is inlined, an
    /// admitted call has no `await` before its operation.
    @inlinable @inline(__always)
    nonisolated(nonsending) func take(_ key: Machine.Key, cost: Int) async throws {
        if let pending = try admit(key, cost: cost, now: reader.offsetNow, maxWait: nil) {
            try await settle(pending, key: key)
        }
    }

    /// ``take(_:cost:)`` for a call with `context`: never waiting past its deadline.
    /// - Throws: also ``ResilienceContext/DeadlineClockMismatch`` when the deadline is not an instant of `C`.
    @inlinable @inline(__always)
    nonisolated(nonsending) func take(_ key: Machine.Key, cost: Int, context: ResilienceContext) async throws {
        let now = reader.offsetNow
        let maxWait = context.deadline == nil ? nil : try maxWait(for: context, now: now)
        if let pending = try admit(key, cost: cost, now: now, maxWait: maxWait) { try await settle(pending, key: key) }
    }

    /// Asks `key`'s bucket for `cost` permits at `now`, waiting at most `maxWait` (`nil`: the configured
    /// one): `nil` when the permits were taken at once (counted here), otherwise the decision
    /// ``settle(_:key:)`` completes. Reports changes of a key table.
    @inlinable
    func admit(_ key: Machine.Key, cost: Int, now: ClockOffset, maxWait: Duration?) throws -> RateLimitDecision? {
        let admission = try machine.withLock { (machine: inout Machine) throws(RateLimitCostError) in
            try machine.admit(key: key, cost: cost, now: now, maxWait: maxWait)
        }
        if let change = admission.keyTableChange { telemetry.keyTableChanged(change, decision: admission.decision) }
        if case .admitted = admission.decision {
            telemetry.admitted()
            return nil
        }
        return admission.decision
    }

    /// The longest a call with `context` may wait at `now`: `nil` (the configured `maxWait`) without a
    /// deadline; with one, at most the time left until it (0 when it has passed): waiting past the
    /// deadline would be pointless.
    @inlinable
    func maxWait(for context: ResilienceContext, now: ClockOffset) throws -> Duration? {
        guard context.deadline != nil, let deadline = try context.deadline(on: reader.clock) else { return nil }
        let left = reader.elapsed(at: deadline) - now.attoseconds
        return Duration(attoseconds: max(0, min(maxWait.attoseconds, left)))
    }

    /// Completes a decision that was not an admission at once: throws `rateLimited` for a rejection,
    /// waits for a reservation.
    @usableFromInline
    nonisolated(nonsending) func settle(_ decision: RateLimitDecision, key: Machine.Key) async throws {
        switch decision {
        case .admitted:
            telemetry.admitted()
        case .rejected(let retryAfter):
            if isShadow.load(ordering: .relaxed) {
                telemetry.shadow.record(ResilienceError.Code.rateLimited.description)
                return
            }
            telemetry.rejected()
            ResilienceSpan.rejected(policy: name, code: .rateLimited)
            throw ResilienceError(code: .rateLimited, policyName: name, retryAfter: retryAfter)
        case .reserved(let reservation):
            telemetry.delayed(by: reservation.delay)
            // Shadow mode: the permits are booked as an enforcing limiter would book them; the call goes now.
            if isShadow.load(ordering: .relaxed) { return }
            do {
                try await reader.clock.sleep(until: reader.instant(at: reservation.readyAt), tolerance: nil)
            } catch {
                // Cancelled while waiting: the permits go to the next caller.
                let now = reader.offsetNow
                if machine.withLock({ $0.returnReservation(reservation, key: key, now: now) }) { telemetry.cancelledWait() }
                throw error
            }
        }
    }

    /// Runs `body` on the machine under the lock, at the current instant.
    func read<Value>(_ body: (inout Machine, ClockOffset) -> Value) -> Value {
        let now = reader.offsetNow
        return machine.withLock { body(&$0, now) }
    }
}
