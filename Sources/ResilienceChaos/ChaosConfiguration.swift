import Resilience

/// The `chaos` section of a policy in a configuration file: faults and latency injected into the
/// policy's calls, off until `enabled` says otherwise. ``ChaosInjection`` runs it.
///
/// ```yaml
/// resilience:
///   policies:
///     payments:
///       retry: {maxAttempts: 3}
///       circuitBreaker: {failureRatio: 0.5}
///       chaos:
///         enabled: false                                 # RESILIENCE_POLICIES_PAYMENTS_CHAOS_ENABLED=true turns it on
///         fault: {rate: 0.1, message: "payments down (chaos)"}
///         latency: {rate: 0.2, logNormal: {median: 200ms, p99: 2s}}
/// ```
///
/// | key | default | meaning |
/// |---|---|---|
/// | `enabled` | `false` | whether anything is injected; a reload that changes it applies to the running pipeline |
/// | `fault` | not set | ``ChaosFaultConfiguration``: `rate` (required), `message` |
/// | `latency` | not set | ``ChaosLatencyConfiguration``: `rate` (required) and one of `duration`, `uniform {min, max}`, `logNormal {median, p99}` |
///
/// `fault` and `latency` may be `null` (no such injection). What a file cannot express stays in code:
/// a fault of one of the service's own error types (``ChaosFault``), an outcome of its own types
/// (``ChaosOutcome``: a configuration cannot build one) and arbitrary behaviour (``ChaosBehavior``).
/// Those take the section's switch (``ChaosInjection/enabled``) to follow its `enabled` key.
///
/// No profile turns chaos on: `development`, `staging` and `production` all start from `enabled: false`.
public struct ChaosConfiguration: Sendable, Hashable {
    /// Whether anything is injected. Default: `false`.
    public var enabled: Bool
    /// The fault injected, if any.
    public var fault: ChaosFaultConfiguration?
    /// The latency injected, if any.
    public var latency: ChaosLatencyConfiguration?

    /// A configuration with the documented defaults (off, nothing to inject), changed where you pass a
    /// value.
    public init(enabled: Bool = false, fault: ChaosFaultConfiguration? = nil, latency: ChaosLatencyConfiguration? = nil) {
        self.enabled = enabled
        self.fault = fault
        self.latency = latency
    }

    /// Checks every key against its allowed range.
    /// - Throws: `ConfigurationError` naming the key with its part (`fault.rate`, `latency.uniform.max`;
    ///   `latency` for a latency read from a file without any of `duration`, `uniform` and `logNormal`).
    public func validate() throws(ConfigurationError) {
        do throws(ConfigurationError) {
            try fault?.validate()
        } catch {
            throw error.prefixingKey(with: "fault")
        }
        if let latency, latency.given == nil {
            throw ConfigurationError(
                key: "latency", value: "no distribution", allowed: "one of duration, uniform {min, max} or logNormal {median, p99}")
        }
        do throws(ConfigurationError) {
            try latency?.validate()
        } catch {
            throw error.prefixingKey(with: "latency")
        }
    }
}

extension ChaosConfiguration: ConfigurationSection {
    package static var defaults: Self { Self() }

    package static var keys: [ConfigurationKey<Self>] {
        [
            .boolean("enabled", \.enabled, meaning: "whether anything is injected; a reload that changes it applies to the running pipeline"),
            part(
                "fault", \.fault, placeholder: ChaosFaultConfiguration(rate: 0),
                meaning: "a `ChaosInjectedError` thrown instead of calling the operation",
                [
                    rate(of: ChaosFaultConfiguration.self, \.rate, meaning: "the fraction of calls that fail"),
                    .text("message", \.message, allowed: "any text", meaning: "the injected error's message"),
                ]),
            part(
                "latency", \.latency, placeholder: .placeholder,
                meaning: "a wait before the operation; exactly one of `duration`, `uniform`, `logNormal`",
                ChaosLatencyConfiguration.keys),
        ]
    }

    /// An optional part of the section (`fault`, `latency`): an object whose absence or `null` means no
    /// such injection, put in place from `placeholder` when a source gives any of its keys.
    private static func part<Part: Sendable>(
        _ name: String, _ path: any WritableKeyPath<Self, Part?> & Sendable, placeholder: Part, meaning: String,
        _ keys: [ConfigurationKey<Part>]
    ) -> ConfigurationKey<Self> {
        ConfigurationKey(
            name, .object(keys.map { $0.lifted(to: path, defaults: placeholder) }), canBeOff: true,
            allowed: "an object, or null (none)", meaning: meaning, value: { $0[keyPath: path] == nil ? nil : .object }
        ) { configuration, value throws(ConfigurationError) in
            switch value {
            case .off: configuration[keyPath: path] = nil
            default: if configuration[keyPath: path] == nil { configuration[keyPath: path] = placeholder }
            }
        }
    }

    /// A part's required `rate`.
    static func rate<Part>(
        of type: Part.Type, _ path: any WritableKeyPath<Part, Double> & Sendable, meaning: String
    ) -> ConfigurationKey<Part> {
        ConfigurationKey(
            "rate", .number, requiredBecause: "how often to inject is the experiment's decision", allowed: "[0, 1]",
            meaning: meaning, value: { .number($0[keyPath: path]) }
        ) { configuration, value throws(ConfigurationError) in
            if let number = value.number { configuration[keyPath: path] = number }
        }
    }
}
