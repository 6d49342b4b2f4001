/// What a fallback handler decides for one failed call.
public enum FallbackDecision<Value: Sendable>: Sendable {
    /// Return this value to the caller instead of the error.
    case value(Value)
    /// Do not handle this call: the caller gets the original error, unchanged.
    case decline
}
