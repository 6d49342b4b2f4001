/// The details of one shed call: its priority, the threshold that shed it, and the state it met.
///
/// Delivered to a ``LoadShedder``'s `onShed` hook, and attached to the thrown ``ResilienceError`` as
/// its ``ResilienceError/underlyingError``:
///
/// ```swift
/// } catch let error as ResilienceError where error.code == .loadShed {
///     let why = (error.underlyingError as? LoadShedRejection)?.reason   // .pressure("cpu"), .inFlight...
///     response.headers["Retry-After"] = error.retryAfter.map { "\($0.components.seconds)" }
/// }
/// ```
public struct LoadShedRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// The shed call's priority (never ``Priority/critical``).
    public var priority: Priority
    /// The threshold that shed it.
    public var reason: LoadShedReason
    /// The hint given to the caller.
    public var retryAfter: Duration?
    /// The calls in flight through the shedder when it was shed.
    public var inFlight: Int

    /// Creates the details of a shed call.
    public init(priority: Priority, reason: LoadShedReason, retryAfter: Duration?, inFlight: Int) {
        self.priority = priority
        self.reason = reason
        self.retryAfter = retryAfter
        self.inFlight = inFlight
    }

    public var description: String {
        "shed a \(priority) call: \(reason) at or above its threshold (\(inFlight) in flight)"
    }
}
