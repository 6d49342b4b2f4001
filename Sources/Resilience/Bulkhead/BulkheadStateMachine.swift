import DequeModule

/// The whole logic of a bulkhead, with no locks, no clock and no concurrency.
///
/// ``Bulkhead`` wraps it in a lock; `resilience-lab` can drive it in virtual time. The rules:
///
/// 1. ``acquire()`` admits a call when fewer than `maxConcurrent` calls hold a slot; otherwise it
///    queues the call (returning its ``Ticket``) when fewer than `maxQueued` calls wait; otherwise it
///    rejects it. A call is never queued while a slot is free, and never admitted past a waiter: while
///    anyone waits, every slot is taken (`queued > 0` implies `inFlight >= maxConcurrent`).
/// 2. ``release()`` gives a slot back. If that leaves fewer than `maxConcurrent` calls in flight and
///    someone waits, the slot goes straight to the longest-waiting call, whose ticket is returned: the
///    driver must resume it as admitted. Waiters are served first in first out.
/// 3. ``cancel(_:)`` and ``expire(_:)`` take a waiting call out of the queue at once; it never gets a
///    slot. They return `false` when the ticket is no longer waiting: it was already handed a slot by
///    ``release()`` or ``setMaxConcurrent(_:)`` (its holder must then ``release()`` it when done), or it
///    already left. So a cancellation racing with a hand-over can neither leak the slot nor free it
///    twice, whichever the driver sees first (the bug behind failsafe's lost permits, where an
///    abandoned waiter was still handed a permit that nobody released).
/// 4. ``setMaxConcurrent(_:)`` applies at once. Growing it admits waiters, oldest first, up to the new
///    capacity, and returns their tickets. Shrinking it touches no running call: they finish, and
///    nothing is admitted (not even from the queue) until fewer than the new capacity are in flight.
/// 5. ``setMaxQueued(_:)`` applies to the next arrival. Shrinking it below the current queue length
///    evicts no one: the waiters keep their places and are served in order; arrivals are rejected
///    until fewer than the new bound wait.
///
/// Time plays no part in the rules: `maxWait` is enforced by whoever drives the machine calling
/// ``expire(_:)`` at the waiter's deadline (the ``Bulkhead`` with a timer on its clock, the lab with
/// an event at enqueue instant + `maxWait`).
///
/// Cost: ``acquire()`` and ``release()`` are O(1) and touch no collection while no one waits. Queue
/// operations are O(1) amortised: a cancelled or expired ticket is marked gone and skipped later, and
/// the queue is compacted when gone tickets outnumber the waiting ones, so memory stays O(waiters).
/// ``inFlight`` and ``queued`` are exact at every moment.
@usableFromInline package struct BulkheadStateMachine: Sendable {
    /// A waiting call's place in the queue. Tickets are unique for the machine's lifetime.
    @usableFromInline package struct Ticket: Sendable, Hashable, Comparable, CustomStringConvertible {
        /// Its number: tickets are numbered from 0 in arrival order.
        @usableFromInline package let number: UInt64

        @inlinable
        init(number: UInt64) { self.number = number }

        @usableFromInline package static func < (lhs: Ticket, rhs: Ticket) -> Bool { lhs.number < rhs.number }
        @usableFromInline package var description: String { "ticket \(number)" }
    }

    /// What ``acquire()`` decided.
    @usableFromInline package enum Decision: Sendable, Hashable {
        /// The call holds a slot: run it, then ``release()``.
        case admitted
        /// The call waits with this ticket, until ``release()`` or ``setMaxConcurrent(_:)`` returns
        /// the ticket (it then holds a slot), or it is cancelled or expired.
        case enqueued(Ticket)
        /// Every slot is taken and the queue is full: reject the call with
        /// ``ResilienceError/Code/bulkheadFull`` (``BulkheadRejectionReason/full``).
        case rejected
    }

    /// The most calls running at once.
    @usableFromInline package private(set) var maxConcurrent: Int
    /// The most calls waiting.
    @usableFromInline package private(set) var maxQueued: Int
    /// Calls holding a slot.
    @usableFromInline package var inFlight: Int { inFlightCount }
    @usableFromInline var inFlightCount = 0
    /// Calls waiting for a slot.
    @usableFromInline package private(set) var queued = 0

    /// Ticket numbers in arrival order: the waiting ones and some that left (cancelled, expired).
    @usableFromInline var arrivalOrder = Deque<UInt64>()
    /// The numbers of the tickets still waiting; `waiting.count == queued`.
    @usableFromInline var waiting = Set<UInt64>()
    @usableFromInline var nextTicketNumber: UInt64 = 0

    // Lifetime counters (see BulkheadStats).
    @usableFromInline var admittedCalls = 0
    @usableFromInline var admittedAfterWaiting = 0
    @usableFromInline var queuedCalls = 0
    @usableFromInline var rejectedCalls = 0
    @usableFromInline var expiredWaiters = 0
    @usableFromInline var cancelledWaiters = 0

    /// Creates an empty bulkhead with the configuration's `maxConcurrent` and `maxQueued` (its `maxWait`
    /// is the driver's to enforce, see ``expire(_:)``).
    /// - Throws: ``ConfigurationError`` when `configuration` is invalid.
    @usableFromInline package init(configuration: BulkheadConfiguration = BulkheadConfiguration()) throws(ConfigurationError) {
        try configuration.validate()
        maxConcurrent = configuration.maxConcurrent
        maxQueued = configuration.maxQueued
    }

    // MARK: - Admission

    /// Admits, queues or rejects a call (rule 1).
    @inlinable
    package mutating func acquire() -> Decision {
        if inFlightCount < maxConcurrent {
            inFlightCount += 1
            admittedCalls &+= 1
            return .admitted
        }
        return acquireWhenFull()
    }

    @usableFromInline
    mutating func acquireWhenFull() -> Decision {
        guard queued < maxQueued else {
            rejectedCalls &+= 1
            return .rejected
        }
        let ticket = Ticket(number: nextTicketNumber)
        nextTicketNumber += 1
        arrivalOrder.append(ticket.number)
        waiting.insert(ticket.number)
        queued += 1
        queuedCalls &+= 1
        return .enqueued(ticket)
    }

    /// Gives back the slot of a call that ended (rule 2); returns the waiter that now holds it, if any.
    ///
    /// Call it exactly once per admission: for ``Decision/admitted``, and for every ticket that
    /// ``release()`` or ``setMaxConcurrent(_:)`` returned.
    /// - Precondition: a call holds a slot (releasing more often than admitting is a bug in the driver).
    @inlinable
    package mutating func release() -> Ticket? {
        precondition(inFlightCount > 0, "BulkheadStateMachine.release() without a call in flight (released twice?)")
        inFlightCount -= 1
        if queued == 0 { return nil }
        return handOverFreedSlot()
    }

    @usableFromInline
    mutating func handOverFreedSlot() -> Ticket? {
        guard inFlightCount < maxConcurrent, let ticket = popOldestWaiter() else { return nil }
        inFlightCount += 1
        admittedCalls &+= 1
        admittedAfterWaiting &+= 1
        return ticket
    }

    /// Takes a waiting call out of the queue because its caller was cancelled (rule 3).
    /// - Returns: `true` when it was waiting and now has left (it holds no slot); `false` when it was no
    ///   longer waiting: it was handed a slot (release it when done) or had already left.
    @usableFromInline package mutating func cancel(_ ticket: Ticket) -> Bool {
        guard removeWaiter(ticket) else { return false }
        cancelledWaiters &+= 1
        return true
    }

    /// Takes a waiting call out of the queue because it waited `maxWait` (rule 3); reject it with
    /// ``ResilienceError/Code/bulkheadFull`` (``BulkheadRejectionReason/maxWaitElapsed``).
    /// - Returns: as ``cancel(_:)``.
    @usableFromInline package mutating func expire(_ ticket: Ticket) -> Bool {
        guard removeWaiter(ticket) else { return false }
        expiredWaiters &+= 1
        return true
    }

    /// Whether `ticket` is still waiting.
    @usableFromInline package func isWaiting(_ ticket: Ticket) -> Bool { waiting.contains(ticket.number) }

    // MARK: - Capacity

    /// Changes the number of calls that may run at once (rule 4).
    /// - Returns: the waiters admitted by a growth, oldest first (empty when it shrank or nobody
    ///   waited). Each now holds a slot.
    /// - Throws: ``ConfigurationError`` (key `maxConcurrent`) when `newValue` is out of range; nothing
    ///   changes then.
    @usableFromInline package mutating func setMaxConcurrent(_ newValue: Int) throws(ConfigurationError) -> [Ticket] {
        try BulkheadConfiguration.checkMaxConcurrent(newValue)
        maxConcurrent = newValue
        var admitted: [Ticket] = []
        while inFlightCount < maxConcurrent, let ticket = popOldestWaiter() {
            inFlightCount += 1
            admittedCalls &+= 1
            admittedAfterWaiting &+= 1
            admitted.append(ticket)
        }
        return admitted
    }

    /// Changes the number of calls that may wait (rule 5).
    /// - Throws: ``ConfigurationError`` (key `maxQueued`) when `newValue` is out of range; nothing
    ///   changes then.
    @usableFromInline package mutating func setMaxQueued(_ newValue: Int) throws(ConfigurationError) {
        try BulkheadConfiguration.checkMaxQueued(newValue)
        maxQueued = newValue
    }

    /// Changes both limits at once (rules 4 and 5), after checking the whole configuration (its
    /// `maxWait` is the driver's: a new one applies to calls queued from then on). Running calls keep
    /// their slots and waiters their places, whatever the new limits.
    /// - Returns: the waiters a growth of `maxConcurrent` admitted, oldest first.
    /// - Throws: ``ConfigurationError`` naming the invalid key; nothing changes then.
    @usableFromInline package mutating func reconfigure(_ configuration: BulkheadConfiguration) throws(ConfigurationError) -> [Ticket] {
        try configuration.validate()
        try setMaxQueued(configuration.maxQueued)
        return try setMaxConcurrent(configuration.maxConcurrent)
    }

    // MARK: - Reading

    /// Limits, current occupancy and lifetime counts.
    @usableFromInline package var stats: BulkheadStats {
        BulkheadStats(
            maxConcurrent: maxConcurrent, maxQueued: maxQueued, inFlight: inFlightCount, queued: queued,
            admittedCalls: admittedCalls, admittedAfterWaiting: admittedAfterWaiting, queuedCalls: queuedCalls,
            rejectedCalls: rejectedCalls, expiredWaiters: expiredWaiters, cancelledWaiters: cancelledWaiters)
    }

    // MARK: - The queue

    /// Removes and returns the longest-waiting ticket, skipping those that left.
    mutating func popOldestWaiter() -> Ticket? {
        while let number = arrivalOrder.popFirst() {
            if waiting.remove(number) != nil {
                queued -= 1
                return Ticket(number: number)
            }
        }
        return nil
    }

    /// Marks a waiting ticket as gone; the ticket number stays in `arrivalOrder` until it reaches the
    /// front or a compaction drops it.
    mutating func removeWaiter(_ ticket: Ticket) -> Bool {
        guard waiting.remove(ticket.number) != nil else { return false }
        queued -= 1
        while let first = arrivalOrder.first, !waiting.contains(first) {
            arrivalOrder.removeFirst()
        }
        // Compact once gone tickets outnumber waiting ones: O(n) every n/2 removals, O(1) amortised,
        // and the deque never holds more than about twice the waiters.
        if arrivalOrder.count > 2 * queued + 16 {
            arrivalOrder.removeAll { !waiting.contains($0) }
        }
        return true
    }
}
