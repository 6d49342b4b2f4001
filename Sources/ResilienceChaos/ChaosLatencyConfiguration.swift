import Resilience

/// The latency of a `chaos` configuration section: how often, and how long, a configured
/// ``ChaosInjection`` waits before the operation.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `rate` | required | the fraction of calls that wait, in [0, 1] |
/// | `duration` | not set | a fixed latency, in (0, 1h] |
/// | `uniform` | not set | `{min, max}`: a latency uniform in [min, max) |
/// | `logNormal` | not set | `{median, p99}`: a log-normal latency by its median and 99th percentile |
///
/// Exactly one of `duration`, `uniform` and `logNormal` gives the ``distribution``
/// (``ChaosLatencyDistribution``): none, or two, is an error naming the key, never a default or a
/// silent choice between them.
///
/// ```yaml
/// latency: {rate: 0.2, duration: 500ms}
/// latency: {rate: 0.2, logNormal: {median: 200ms, p99: 2s}}
/// ```
public struct ChaosLatencyConfiguration: Sendable, Hashable {
    /// The fraction of calls that wait. In [0, 1]; no default in a file.
    public var rate: Double
    /// How long an injected call waits.
    public var distribution: ChaosLatencyDistribution {
        get { given ?? .fixed(.zero) }
        set { given = newValue }
    }
    /// The distribution a file gave; `nil` while it gave none (the section's placeholder, invalid).
    var given: ChaosLatencyDistribution?

    /// A latency at `rate`, drawn from `distribution`.
    public init(rate: Double, distribution: ChaosLatencyDistribution) {
        self.rate = rate
        self.given = distribution
    }

    /// The placeholder a file's `latency` object starts from: no rate, no distribution yet.
    static var placeholder: Self {
        var configuration = Self(rate: 0, distribution: .fixed(.zero))
        configuration.given = nil
        return configuration
    }

    /// Checks every key against its allowed range.
    /// - Throws: `ConfigurationError` naming the key: `rate` unless in [0, 1]; the distribution's key
    ///   (``ChaosLatencyDistribution/validate()``).
    public func validate() throws(ConfigurationError) {
        try ChaosGate.checkRate(rate)
        // A value built in code always has a distribution; one read from a file without any is reported by
        // the section (`ChaosConfiguration.validate()`, key `latency`).
        try given?.validate()
    }
}

extension ChaosLatencyConfiguration {
    /// `rate`, then the three ways to give the distribution, of which exactly one may be used.
    static var keys: [ConfigurationKey<Self>] {
        [
            ChaosConfiguration.rate(of: Self.self, \.rate, meaning: "the fraction of calls that wait"),
            ConfigurationKey(
                "duration", .duration, canBeOff: true, allowed: "(0, 1h]; only one of duration, uniform, logNormal",
                meaning: "a fixed latency",
                value: { if case .fixed(let duration)? = $0.given { .duration(duration) } else { nil } }
            ) { configuration, value throws(ConfigurationError) in
                switch value {
                case .duration(let duration):
                    try configuration.choose("duration", DurationText.format(duration), isCurrent: { if case .fixed = $0 { true } else { false } })
                    configuration.given = .fixed(duration)
                case .off:
                    if case .fixed? = configuration.given { configuration.given = nil }
                default:
                    break
                }
            },
            distribution(
                "uniform", meaning: "a latency uniform in [min, max)",
                start: .uniform(min: .zero, max: ChaosLatencyDistribution.maximum),
                isCurrent: { if case .uniform = $0 { true } else { false } },
                [
                    bound("min", required: false, allowed: "[0, 1h]", meaning: "the shortest latency") {
                        if case .uniform(let min, _) = $0 { min } else { nil }
                    } set: { if case .uniform(_, let max) = $0 { $0 = .uniform(min: $1, max: max) } }
                        .documentingDefault("0s"),
                    bound("max", required: true, allowed: "(0, 1h] and >= min", meaning: "the longest latency (excluded)") {
                        if case .uniform(_, let max) = $0 { max } else { nil }
                    } set: { if case .uniform(let min, _) = $0 { $0 = .uniform(min: min, max: $1) } },
                ]),
            distribution(
                "logNormal", meaning: "a log-normal latency by its median and 99th percentile",
                start: .logNormal(median: Duration(attoseconds: 1), p99: ChaosLatencyDistribution.maximum),
                isCurrent: { if case .logNormal = $0 { true } else { false } },
                [
                    bound("median", required: true, allowed: "(0, 1h]", meaning: "half the latencies are shorter") {
                        if case .logNormal(let median, _) = $0 { median } else { nil }
                    } set: { if case .logNormal(_, let p99) = $0 { $0 = .logNormal(median: $1, p99: p99) } },
                    bound("p99", required: true, allowed: "[median, 1h]", meaning: "99 % of the latencies are shorter") {
                        if case .logNormal(_, let p99) = $0 { p99 } else { nil }
                    } set: { if case .logNormal(let median, _) = $0 { $0 = .logNormal(median: median, p99: $1) } },
                ]),
        ]
    }

    /// Throws unless the distribution may be given by `key`: none was given yet, or the one given is of
    /// the same kind (`isCurrent`).
    mutating func choose(
        _ key: String, _ value: String, isCurrent: (ChaosLatencyDistribution) -> Bool
    ) throws(ConfigurationError) {
        guard let given, !isCurrent(given) else { return }
        let other = switch given {
        case .fixed: "duration"
        case .uniform: "uniform"
        case .logNormal: "logNormal"
        }
        throw ConfigurationError(
            key: key, value: value, allowed: "only one of duration, uniform and logNormal (\(other) is given)")
    }

    /// The object of one distribution (`uniform`, `logNormal`), which `null` removes. It starts from
    /// `start`, valid whatever one key a file gives, so that a missing required key is reported once, as
    /// missing, and never again as the placeholder's value.
    private static func distribution(
        _ name: String, meaning: String, start: ChaosLatencyDistribution,
        isCurrent: @escaping @Sendable (ChaosLatencyDistribution) -> Bool, _ keys: [ConfigurationKey<Self>]
    ) -> ConfigurationKey<Self> {
        ConfigurationKey(
            name, .object(keys), canBeOff: true, allowed: "an object, or null; only one of duration, uniform, logNormal",
            meaning: meaning, value: { configuration in configuration.given.map(isCurrent) == true ? .object : nil }
        ) { configuration, value throws(ConfigurationError) in
            switch value {
            case .off:
                if configuration.given.map(isCurrent) == true { configuration.given = nil }
            case .object:
                try configuration.choose(name, "an object", isCurrent: isCurrent)
                if configuration.given == nil { configuration.given = start }
            default:
                break
            }
        }
    }

    /// A duration inside a distribution's object, read and written through the distribution.
    private static func bound(
        _ name: String, required: Bool, allowed: String, meaning: String,
        get: @escaping @Sendable (ChaosLatencyDistribution) -> Duration?,
        set: @escaping @Sendable (inout ChaosLatencyDistribution, Duration) -> Void
    ) -> ConfigurationKey<Self> {
        ConfigurationKey(
            name, .duration, requiredBecause: required ? "the distribution has no default" : nil, allowed: allowed,
            meaning: meaning, value: { $0.given.flatMap(get).map(ConfigurationValue.duration) }
        ) { configuration, value throws(ConfigurationError) in
            guard case .duration(let duration) = value, var distribution = configuration.given else { return }
            set(&distribution, duration)
            configuration.given = distribution
        }
    }
}
