/// A call admitted by a ``LoadShedder``: give it back with ``LoadShedder/release(_:)`` when the call
/// ends, exactly once.
public struct LoadShedPermit: Sendable, Hashable {
    /// The admitted call's priority.
    public let priority: Priority

    @usableFromInline
    init(priority: Priority) { self.priority = priority }
}
