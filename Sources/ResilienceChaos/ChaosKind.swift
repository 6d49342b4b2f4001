/// What a chaos strategy injects: the value of the `kind` label of
/// `resilience_chaos_injections_total` and of the `resilience.kind` attribute of the
/// `resilience.chaos` span event.
public enum ChaosKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// An error thrown instead of calling the operation (``ChaosFault``).
    case fault
    /// A delay before the operation (``ChaosLatency``).
    case latency
    /// A value returned instead of calling the operation (``ChaosOutcome``).
    case outcome
    /// Code of your own run before the operation (``ChaosBehavior``).
    case behavior

    /// The label value, such as `fault`.
    public var description: String { rawValue }
}
