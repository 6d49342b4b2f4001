/// A ``CascadePreventor``'s lifetime counters and current window.
public struct CascadePreventorStats: Sendable, Hashable {
    /// The current mode.
    public var mode: CascadeMode
    /// Calls (successes and failures) in the window.
    public var callsInWindow: Int
    /// Failures in the window.
    public var failuresInWindow: Int
    /// Calls rejected since creation.
    public var rejectedCalls: Int
    /// How many times fast-fail started since creation.
    public var fastFailCount: Int
}
