/// The calls parked in a policy's queue, kept under the policy's lock beside its state machine: the one
/// waiting mechanism of the bulkhead and the concurrency limiter.
///
/// The state machine decides who waits and who is served (tickets, order, capacity); this table only
/// hands each decision to the right task. A queued call goes through its ticket's slot:
///
/// 1. ``enqueue(_:)``: the lock holder that queued the call registers its ticket (`pending`), in the
///    same critical section as the machine's decision.
/// 2. The call's task suspends (``wait(for:in:until:on:expire:cancel:)``) and parks its continuation,
///    unless its wait ended in between: then the outcome is already there and it does not suspend.
/// 3. Whoever ends the wait (a release handing over a slot, an eviction, the deadline's timer, the
///    task's cancellation) takes the ticket out of the machine and calls ``settle(_:with:)`` under the
///    lock, then resumes the returned continuation outside it, with the same outcome.
///
/// Every ticket is settled exactly once: the machine gives a ticket away at most once (to a release,
/// an expiry or a cancellation), so a cancellation racing with a hand-over can neither leak the slot
/// nor resume a continuation twice; a second settlement is a bug and traps.
///
/// Waits that only time can end (a rate limiter's reservation, whose instant is exact when it is made)
/// do not park here: they sleep on the clock and hand the reservation back if cancelled, which costs no
/// continuation and no timer task.
@usableFromInline
package struct Waiters<Outcome: Sendable>: Sendable {
    /// A parked call's continuation. Settling hands it out to be resumed outside the lock, with the
    /// outcome it was settled with. (A standard-library type on purpose: an optional of a type of our
    /// own that holds it would be laid out at run time, through a generic metadata lookup on every
    /// release, even with nobody waiting.)
    @usableFromInline package typealias Continuation = CheckedContinuation<Outcome, Never>

    /// A queued call, as the shell knows it.
    @usableFromInline
    enum Slot: Sendable {
        /// Queued, but its task has not suspended yet (between the admission lock and the suspension).
        case pending
        /// Suspended on this continuation.
        case suspended(Continuation)
        /// Its wait ended before its task suspended; the suspension returns this at once.
        case resolved(Outcome)
    }

    /// By ticket number: every ticket the machine holds as waiting, pending or suspended, and tickets
    /// whose wait ended before their task suspended.
    @usableFromInline var slots: [UInt64: Slot] = [:]

    @usableFromInline
    package init() {}

    /// Registers a call the state machine just queued with `ticket` (step 1).
    @usableFromInline
    package mutating func enqueue(_ ticket: UInt64) {
        slots[ticket] = .pending
    }

    /// Ends the wait of a ticket the state machine just let go, with `outcome` (step 3): returns the
    /// continuation to resume with `outcome` outside the lock when the task is suspended, or keeps the
    /// outcome for the task to collect when it suspends.
    @usableFromInline
    package mutating func settle(_ ticket: UInt64, with outcome: Outcome) -> Continuation? {
        switch slots[ticket] {
        case .suspended(let continuation):
            slots[ticket] = nil
            return continuation
        case .pending:
            slots[ticket] = .resolved(outcome)
            return nil
        case .resolved, nil:
            preconditionFailure("waiter \(ticket) was settled twice")
        }
    }

    /// Parks `continuation` for `ticket` (step 2), or returns the outcome already decided for it.
    mutating func suspend(_ ticket: UInt64, on continuation: Continuation) -> Outcome? {
        switch slots[ticket] {
        case .pending:
            slots[ticket] = .suspended(continuation)
            return nil
        case .resolved(let outcome):
            slots[ticket] = nil
            return outcome
        case .suspended, nil:
            preconditionFailure("waiter \(ticket) suspended twice, or was never queued")
        }
    }
}

/// A policy's state behind its lock, holding the table of its parked calls.
@usableFromInline
package protocol HoldsWaiters {
    associatedtype WaitOutcome: Sendable
    var waiters: Waiters<WaitOutcome> { get set }
}

extension Locked where Value: HoldsWaiters {
    /// Waits, as the task of the call queued with `ticket`, until its wait ends (step 2 of ``Waiters``):
    /// settled by another call, expired at `deadline` (`nil`: never), or cancelled.
    ///
    /// - Parameters:
    ///   - deadline: when given, a child task sleeps on `clock` until then and calls `expire`; it never
    ///     outlives the wait, and is cancelled as soon as the call is settled.
    ///   - expire: takes the ticket out of the machine if it still waits, and settles it (under the lock).
    ///   - cancel: the same, when the task is cancelled while it waits.
    @usableFromInline
    nonisolated(nonsending) func wait<C: Clock>(
        for ticket: UInt64, until deadline: C.Instant?, on clock: C,
        expire: @escaping @Sendable () -> Void, cancel: @escaping @Sendable () -> Void
    ) async -> Value.WaitOutcome where C.Duration == Duration {
        guard let deadline else { return await suspend(ticket, cancel: cancel) }
        return await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await clock.sleep(until: deadline, tolerance: nil)
                } catch {
                    return  // the wait ended first
                }
                expire()
            }
            let outcome = await suspend(ticket, cancel: cancel)
            group.cancelAll()
            return outcome
        }
    }

    /// Suspends until the wait of `ticket` ends; a cancellation of the task calls `cancel` at once.
    nonisolated(nonsending) func suspend(
        _ ticket: UInt64, cancel: @escaping @Sendable () -> Void
    ) async -> Value.WaitOutcome {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: Waiters<Value.WaitOutcome>.Continuation) in
                if let decided = withLock({ $0.waiters.suspend(ticket, on: continuation) }) {
                    continuation.resume(returning: decided)
                }
            }
        } onCancel: {
            cancel()
        }
    }
}
