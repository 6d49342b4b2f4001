import Resilience

/// The fault of a `chaos` configuration section: how often, and with what message, a configured
/// ``ChaosInjection`` throws a ``ChaosInjectedError``.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `rate` | required | the fraction of calls that fail, in [0, 1] |
/// | `message` | `injected by chaos` | the ``ChaosInjectedError/message`` |
///
/// A file can name no error type of the service, so a configured fault is always a
/// ``ChaosInjectedError``; for an error of your own, build a ``ChaosFault`` in code.
public struct ChaosFaultConfiguration: Sendable, Hashable {
    /// The fraction of calls that fail. In [0, 1]; no default in a file.
    public var rate: Double
    /// The message of the injected error. Any text. Default: `injected by chaos`.
    public var message: String

    /// A fault at `rate`, with `message`.
    public init(rate: Double, message: String = "injected by chaos") {
        self.rate = rate
        self.message = message
    }

    /// Checks every key against its allowed range.
    /// - Throws: `ConfigurationError` (key `rate`) unless the rate is in [0, 1].
    public func validate() throws(ConfigurationError) {
        try ChaosGate.checkRate(rate)
    }
}
