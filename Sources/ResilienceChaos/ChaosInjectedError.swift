/// The error a fault from configuration throws (a `chaos.fault` section, ``ChaosInjection``): a file
/// can name no error type of the service, so every configured fault is this one, with the section's
/// `message`.
///
/// It is an ordinary failure for the policies around it: the default `FailureClassifier` counts it
/// (a breaker trips on it), a retry retries it, a fallback handles it, exactly as they would the
/// dependency's own error. Catch it by type to tell injected failures apart in tests and logs.
public struct ChaosInjectedError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The name of the strategy that injected it.
    public var policyName: String
    /// The configured message.
    public var message: String

    /// An injected error of the strategy `policyName`.
    public init(policyName: String, message: String) {
        self.policyName = policyName
        self.message = message
    }

    /// `chaos "payments": injected by chaos`.
    public var description: String { "chaos \"\(policyName)\": \(message)" }
}
