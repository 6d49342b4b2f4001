/// Why a bulkhead rejected a call with ``ResilienceError/Code/bulkheadFull``: the value of the `reason`
/// label of `resilience_bulkhead_rejections_total`.
public enum BulkheadRejectionReason: String, Sendable, Hashable, CaseIterable {
    /// Every slot was taken and the queue was full (or the bulkhead does not queue): rejected at once.
    case full
    /// The call waited `maxWait` in the queue without getting a slot.
    case maxWaitElapsed
}
