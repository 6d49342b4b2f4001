/// What the three rate-limiter shells share: reading the clock as an offset from their origin, the
/// wait a call may have, and what follows a decision (counting it, throwing a rejection, or sleeping
/// until a reservation's instant and handing the reservation back if the sleep is cancelled).
@usableFromInline
struct RateLimitShell<C: Clock>: Sendable where C.Duration == Duration {
    @usableFromInline let name: String
    /// Reads the clock; its origin is the state machine's, and instants are passed to the machine as
    /// attoseconds since it.
    @usableFromInline let reader: ClockReader<C>
    @usableFromInline let maxWait: Int128
    @usableFromInline let telemetry: RateLimiterTelemetry

    init(name: String, reader: ClockReader<C>, maxWait: Duration, telemetry: RateLimiterTelemetry) {
        self.name = name
        self.reader = reader
        self.maxWait = maxWait.attoseconds
        self.telemetry = telemetry
    }

    /// Now, in attoseconds since the origin.
    @inlinable
    func now() -> Int128 { reader.elapsed() }

    /// The longest a call with `context` may wait at `now`: `maxWait`, or less when the call's deadline
    /// comes sooner (0 when it has passed): waiting past the deadline would be pointless.
    /// - Throws: ``ResilienceContext/DeadlineClockMismatch`` when the deadline is not an instant of `C`.
    @inlinable
    func maxWait(for context: ResilienceContext, now: Int128) throws -> Int128 {
        guard context.deadline != nil, let deadline = try context.deadline(on: reader.clock) else { return maxWait }
        let left = reader.elapsed(at: deadline) - now
        return max(0, min(maxWait, left))
    }

    /// Counts an admission made at once and returns nil; returns any other decision, for
    /// ``complete(_:giveBack:)``. Synchronous, so that the admitted path adds no executor hop.
    @inlinable
    func pending(_ decision: RateLimitDecision) -> RateLimitDecision? {
        if case .admitted = decision {
            telemetry.admitted()
            return nil
        }
        return decision
    }

    /// Counts `decision` and acts on it: returns for an admission, throws `rateLimited` for a rejection,
    /// waits for a reservation.
    /// - Parameter giveBack: returns a reservation to the state machine at an instant (offset), under
    ///   its lock; says whether it was returned.
    @inlinable
    nonisolated(nonsending) func complete(
        _ decision: RateLimitDecision, giveBack: (RateLimitReservation, Int128) -> Bool
    ) async throws {
        switch decision {
        case .admitted:
            telemetry.admitted()
        case .rejected(let retryAfter):
            throw rejection(retryAfter: retryAfter)
        case .reserved(let reservation):
            try await wait(for: reservation, giveBack: giveBack)
        }
    }

    /// Counts a rejection and makes its error.
    @usableFromInline
    func rejection(retryAfter: Duration) -> ResilienceError {
        telemetry.rejected()
        return ResilienceError(code: .rateLimited, policyName: name, retryAfter: retryAfter)
    }

    /// Sleeps on the clock until the reservation's instant. If the sleep is cancelled, hands the
    /// reservation back (so that the permits go to the next caller) and rethrows (`CancellationError`).
    @usableFromInline
    nonisolated(nonsending) func wait(
        for reservation: RateLimitReservation, giveBack: (RateLimitReservation, Int128) -> Bool
    ) async throws {
        telemetry.delayed(by: reservation.delay)
        do {
            try await reader.clock.sleep(until: reader.instant(at: reservation.offset), tolerance: nil)
        } catch {
            if giveBack(reservation, now()) { telemetry.cancelledWait() }
            throw error
        }
    }
}
