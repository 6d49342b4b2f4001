/// Something a ``CascadePreventor`` did, delivered to its observers.
public enum CascadePreventorEvent: Sendable, Hashable {
    /// Fast-fail started, was extended, or ended.
    case modeChanged(CascadeModeChange)
    /// A call of this priority was rejected in fast-fail mode.
    case callRejected(Priority)
}
