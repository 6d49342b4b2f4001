/// Identifies an observer added to a policy (``CircuitBreaker/addObserver(_:)``,
/// ``CircuitBreaker/addStateObserver(_:)``,
/// ``CascadePreventor/addObserver(_:)``, ``GracefulDegradation/addObserver(_:)``), to remove it again.
public struct ResilienceObserverID: Sendable, Hashable {
    @usableFromInline let value: UInt64

    @inlinable
    init(value: UInt64) { self.value = value }
}

/// The observers of a policy's events, kept under the policy's lock; events are delivered outside it,
/// to a ``snapshot`` taken under the lock (the list itself, shared copy-on-write: no allocation).
@usableFromInline
struct ObserverList<Event: Sendable>: Sendable {
    @usableFromInline typealias Handler = @Sendable (Event) -> Void
    @usableFromInline typealias Entries = [(id: UInt64, handler: Handler)]

    /// The observers at one moment, to call outside the lock.
    @usableFromInline
    struct Snapshot: Sendable {
        @usableFromInline let entries: Entries

        @inlinable
        init(entries: Entries) { self.entries = entries }

        /// Calls every observer with `event`, in the order they were added.
        @inlinable
        func deliver(_ event: Event) {
            for entry in entries { entry.handler(event) }
        }
    }

    @usableFromInline var entries: Entries = []
    @usableFromInline var lastID: UInt64 = 0

    @inlinable
    init() {}

    /// Whether nobody observes.
    @inlinable
    var isEmpty: Bool { entries.isEmpty }

    /// The observers to call outside the lock, or `nil` when there are none.
    @inlinable
    var snapshot: Snapshot? { entries.isEmpty ? nil : Snapshot(entries: entries) }

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

    /// Calls each of `observers` with each of `events`, in order.
    static func deliver(_ events: [Event], to observers: Snapshot?) {
        guard let observers else { return }
        for event in events { observers.deliver(event) }
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
