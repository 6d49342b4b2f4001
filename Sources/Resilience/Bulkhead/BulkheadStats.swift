/// A snapshot of a bulkhead: its limits, what it holds now, and lifetime counts.
///
/// The counts are exact: every call that asked for a slot is exactly one of admitted at once, queued,
/// or rejected; every queued call ends exactly one of admitted after waiting, expired, cancelled, or
/// still queued (`queuedCalls == admittedAfterWaiting + expiredWaiters + cancelledWaiters + queued`).
public struct BulkheadStats: Sendable, Hashable {
    /// The most calls running at once, now.
    public var maxConcurrent: Int
    /// The most calls waiting, now.
    public var maxQueued: Int
    /// Calls holding a slot now. May exceed ``maxConcurrent`` for a while after the capacity shrank.
    public var inFlight: Int
    /// Calls waiting for a slot now. May exceed ``maxQueued`` for a while after the queue shrank.
    public var queued: Int
    /// Calls given a slot since creation, at once or after waiting.
    public var admittedCalls: Int
    /// Calls given a slot after waiting in the queue (a subset of ``admittedCalls``).
    public var admittedAfterWaiting: Int
    /// Calls that joined the queue.
    public var queuedCalls: Int
    /// Calls rejected at once: every slot taken and the queue full.
    public var rejectedCalls: Int
    /// Queued calls that gave up after `maxWait` (also rejected with `bulkheadFull`).
    public var expiredWaiters: Int
    /// Queued calls that were cancelled before they got a slot.
    public var cancelledWaiters: Int

    /// Slots free now (0 when the bulkhead is full or over a shrunk capacity).
    public var availableSlots: Int { max(maxConcurrent - inFlight, 0) }

    /// Creates a snapshot.
    public init(
        maxConcurrent: Int, maxQueued: Int, inFlight: Int, queued: Int, admittedCalls: Int,
        admittedAfterWaiting: Int, queuedCalls: Int, rejectedCalls: Int, expiredWaiters: Int, cancelledWaiters: Int
    ) {
        self.maxConcurrent = maxConcurrent
        self.maxQueued = maxQueued
        self.inFlight = inFlight
        self.queued = queued
        self.admittedCalls = admittedCalls
        self.admittedAfterWaiting = admittedAfterWaiting
        self.queuedCalls = queuedCalls
        self.rejectedCalls = rejectedCalls
        self.expiredWaiters = expiredWaiters
        self.cancelledWaiters = cancelledWaiters
    }
}

extension BulkheadStats: CustomStringConvertible {
    /// One line for a log, for example `7 of 10 running, 2 of 20 queued; since creation 1500 admitted
    /// (40 after waiting), 3 rejected, 1 expired, 0 cancelled while waiting`.
    public var description: String {
        "\(inFlight) of \(maxConcurrent) running, \(queued) of \(maxQueued) queued; since creation \(admittedCalls) admitted "
            + "(\(admittedAfterWaiting) after waiting), \(rejectedCalls) rejected, \(expiredWaiters) expired, "
            + "\(cancelledWaiters) cancelled while waiting"
    }
}
