/// What travels with one call through a pipeline: its name, attempt, priority, deadline and metadata.
///
/// Policies read it (a load shedder reads ``priority``, a retry policy sets ``attempt``) and pass it on
/// to the policies inside them and finally to the operation.
///
/// Keep ``operationName`` low-cardinality ("GET /users/:id", "llm.complete"): it becomes a metric label
/// and a log field. Per-request identifiers belong in ``metadata``, which telemetry never exports.
public struct ResilienceContext: Sendable {
    /// A low-cardinality name of the operation, for telemetry and per-operation configuration.
    public var operationName: String
    /// The kind of operation, such as `llm`, `db`, `auth` or `http`, for configuration chosen per kind
    /// (a ``TimeoutTable`` picks its duration by it). `nil` when the call has no kind.
    public var operationType: String?
    /// The execution number of this call, the first one being 1. Retry policies increase it.
    public var attempt: Int
    /// How important the call is.
    public var priority: Priority
    /// The instant by which the whole call must have finished, on the clock the policies use, if any.
    ///
    /// Read it with ``deadline(on:)``, which checks that it belongs to the clock you ask about.
    public var deadline: (any InstantProtocol)?
    /// User metadata, keyed by types conforming to ``ResilienceContextKey``.
    public var metadata: ResilienceMetadata

    /// Creates a context.
    public init(
        operationName: String = "",
        operationType: String? = nil,
        attempt: Int = 1,
        priority: Priority = .normal,
        deadline: (any InstantProtocol)? = nil,
        metadata: ResilienceMetadata = ResilienceMetadata()
    ) {
        self.operationName = operationName
        self.operationType = operationType
        self.attempt = attempt
        self.priority = priority
        self.deadline = deadline
        self.metadata = metadata
    }

    /// The deadline as an instant of `clock`, or `nil` when the call has none.
    /// - Throws: ``DeadlineClockMismatch`` when the deadline was set with another clock's instant type,
    ///   which would make any comparison meaningless.
    public func deadline<C: Clock>(on clock: C) throws(DeadlineClockMismatch) -> C.Instant? {
        guard let deadline else { return nil }
        guard let typed = deadline as? C.Instant else {
            throw DeadlineClockMismatch(
                deadlineType: String(describing: type(of: deadline)),
                clockInstantType: String(describing: C.Instant.self)
            )
        }
        return typed
    }

    /// The time left until the deadline as seen from `now` (negative once it has passed), or `nil`
    /// when the call has none.
    /// - Throws: ``DeadlineClockMismatch`` when the deadline is not an instant of `C`.
    public func remainingTime<C: Clock>(on clock: C, now: C.Instant) throws(DeadlineClockMismatch) -> Duration?
    where C.Duration == Duration {
        try deadline(on: clock).map { now.duration(to: $0) }
    }

    /// This context with its deadline set to `deadline`, or kept if the current one is earlier: a
    /// nested call never gets more time than its caller.
    /// - Throws: ``DeadlineClockMismatch`` when the current deadline is not an instant of `C`.
    public func bounded<C: Clock>(by deadline: C.Instant, on clock: C) throws(DeadlineClockMismatch) -> ResilienceContext {
        var bounded = self
        if let current = try self.deadline(on: clock), current <= deadline { return bounded }
        bounded.deadline = deadline
        return bounded
    }

    /// Thrown when a context's deadline is read with a clock whose instants are of another type.
    public struct DeadlineClockMismatch: Error, Sendable, CustomStringConvertible {
        /// The type of the instant stored as the deadline.
        public var deadlineType: String
        /// The instant type of the clock that was asked.
        public var clockInstantType: String
        public var description: String {
            "the context's deadline is a \(deadlineType), but it was read with a clock whose instants are \(clockInstantType)"
        }
    }
}

/// A key for a typed value in ``ResilienceMetadata``.
///
/// ```swift
/// enum TenantKey: ResilienceContextKey { typealias Value = String }
/// context.metadata[TenantKey.self] = "acme"
/// ```
public protocol ResilienceContextKey: Sendable {
    /// The type of the value stored under this key.
    associatedtype Value: Sendable
}

/// Typed user metadata carried by a ``ResilienceContext``. Never exported by telemetry.
///
/// The first value stored is kept inline, the others in a dictionary: metadata with one value (the
/// HTTP integrations' client key) costs no allocation, unless the value itself needs one (more than
/// three words).
public struct ResilienceMetadata: Sendable {
    /// The key of the value kept inline; `nil` when none is. Apart from its value, so that `isEmpty` and
    /// a lookup of another key read one word and touch no existential.
    @usableFromInline var firstKey: ObjectIdentifier?
    /// The value stored under `firstKey`.
    @usableFromInline var firstValue: (any Sendable)?
    /// The values stored under any other key.
    @usableFromInline var others: [ObjectIdentifier: any Sendable] = [:]

    /// Creates empty metadata.
    @inlinable
    public init() {}

    /// The value stored under `key`, or `nil`.
    @inlinable
    public subscript<Key: ResilienceContextKey>(key: Key.Type) -> Key.Value? {
        get {
            let id = ObjectIdentifier(key)
            if firstKey == id { return firstValue as? Key.Value }
            return others.isEmpty ? nil : others[id] as? Key.Value
        }
        set {
            let id = ObjectIdentifier(key)
            if firstKey == id {
                if newValue == nil { firstKey = nil }
                firstValue = newValue
            } else if firstKey == nil, let newValue, others.isEmpty || others[id] == nil {
                firstKey = id
                firstValue = newValue
            } else {
                others[id] = newValue
            }
        }
    }

    /// Whether no value is stored.
    @inlinable
    public var isEmpty: Bool { firstKey == nil && others.isEmpty }
}
