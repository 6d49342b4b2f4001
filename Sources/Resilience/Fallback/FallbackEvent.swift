/// What a fallback tells its `onFallback` hook each time it handles a failed call.
///
/// Calls the predicate does not handle (cancellation, ignored errors, codes left out) produce no event.
public struct FallbackEvent: Sendable {
    /// How the fallback ended.
    public enum Outcome: Sendable {
        /// The caller got a value from here instead of the error.
        case served(FallbackSource)
        /// Nothing to serve (the handler declined, or no usable cached value and no strategy): the
        /// caller got the original error.
        case declined
        /// The handler threw this error, and the caller got it.
        case failed(any Error)
    }

    /// The fallback's name.
    public var policyName: String
    /// Why the fallback was asked.
    public var cause: FallbackCause
    /// How it ended.
    public var outcome: Outcome
}
