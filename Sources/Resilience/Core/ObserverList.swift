/// Identifies an observer added to a policy (``CascadePreventor/addObserver(_:)``,
/// ``GracefulDegradation/addObserver(_:)``), to remove it again.
public struct ResilienceObserverID: Sendable, Hashable {
    let value: UInt64
}

/// The observers of a policy's events, kept under the policy's lock; events are delivered outside it
/// from a ``snapshot``.
struct ObserverList<Event: Sendable>: Sendable {
    typealias Handler = @Sendable (Event) -> Void

    private var entries: [(id: UInt64, handler: Handler)] = []
    private var lastID: UInt64 = 0

    /// Adds `handler`; returns its identifier.
    mutating func add(_ handler: @escaping Handler) -> ResilienceObserverID {
        lastID += 1
        entries.append((lastID, handler))
        return ResilienceObserverID(value: lastID)
    }

    /// Removes the observer `id` (nothing happens if it is already gone).
    mutating func remove(_ id: ResilienceObserverID) {
        entries.removeAll { $0.id == id.value }
    }

    /// The handlers to call outside the lock, or `nil` when there are none.
    var snapshot: [Handler]? { entries.isEmpty ? nil : entries.map(\.handler) }

    /// Calls each of `handlers` with each of `events`, in order.
    static func deliver(_ events: [Event], to handlers: [Handler]?) {
        guard let handlers else { return }
        for event in events {
            for handler in handlers { handler(event) }
        }
    }

    /// An `AsyncStream` of the events of a policy from now on, registered with `add` and removed with
    /// `remove` when its consumer stops iterating.
    static func stream(
        bufferingPolicy: AsyncStream<Event>.Continuation.BufferingPolicy,
        add: (@escaping Handler) -> ResilienceObserverID,
        remove: @escaping @Sendable (ResilienceObserverID) -> Void
    ) -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: bufferingPolicy)
        let id = add { event in continuation.yield(event) }
        continuation.onTermination = { _ in remove(id) }
        return stream
    }
}
