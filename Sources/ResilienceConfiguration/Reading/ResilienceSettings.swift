import Resilience

/// A service's resilience configuration, as read from files and environment variables by
/// ``ResilienceSettings/read(files:environment:profile:)``: whether the policies are on, the profile
/// their defaults come from, the timeout of each operation type, and each named policy.
///
/// In a file, everything lives under `resilience` (other top-level keys belong to the service and are
/// left alone):
///
/// ```yaml
/// resilience:
///   enabled: true
///   profile: production
///   timeouts: {llm: 60s, db: 10s}
///   policies:
///     payments:
///       retry: {maxAttempts: 3, baseDelay: 200ms}
///       circuitBreaker: {failureRatio: 0.5, breakDuration: 30s}
///       timeout: {duration: 2s}
/// ```
///
/// A policy's sections and keys are exactly those of `resilience-lab`'s POLICY.json (see
/// ``PolicyConfiguration``), so the file `resilience-lab tune` writes drops into production unchanged.
public struct ResilienceSettings: Sendable, Hashable {
    /// `resilience.enabled`: the kill switch. `false` turns every policy built from configuration into
    /// a pass-through. Default: `true`.
    public var isEnabled: Bool
    /// `resilience.profile`: the bundle of defaults the policies' sections start from.
    public var profile: ResilienceProfile
    /// `resilience.timeouts.<type>`: the timeout of each operation type. It overrides a policy's
    /// `timeout.duration` for calls whose context names that type. Defaults: `llm` 60 s, `auth` 5 s,
    /// `db` 10 s, `http` 15 s (`TimeoutTable/typicalService`).
    public var operationTimeouts: [String: Duration]
    /// `resilience.policies.<name>`: each named policy.
    public var policies: [String: PolicyConfiguration]

    /// Settings with the documented defaults: enabled, the production profile, the typical operation
    /// timeouts, and no policy.
    public init(
        isEnabled: Bool = true, profile: ResilienceProfile = .production,
        operationTimeouts: [String: Duration] = TimeoutTable.typicalService.byOperationType,
        policies: [String: PolicyConfiguration] = [:]
    ) {
        self.isEnabled = isEnabled
        self.profile = profile
        self.operationTimeouts = operationTimeouts
        self.policies = policies
    }
}

/// A documented bundle of defaults for the policies' sections, chosen with `resilience.profile`.
/// Keys a file or an environment variable gives override it.
///
/// | profile | defaults that differ from the library's |
/// |---|---|
/// | `development` | `circuitBreaker.breakDuration` 5 s, `circuitBreaker.maxBreakDuration` 30 s, `circuitBreaker.halfOpenMaxDuration` 10 s; `retry.budgetRatio` 1000 and `retry.budgetMinPerSecond` 1 000 000 (a budget that never refuses) |
/// | `staging` | `circuitBreaker.breakDuration` 10 s |
/// | `production` | none: the library's defaults |
public enum ResilienceProfile: String, Sendable, Hashable, CaseIterable {
    case development
    case staging
    case production

    /// The defaults that differ from the library's, by `section.key`.
    package var overrides: [String: ConfigurationValue] {
        switch self {
        case .development:
            [
                "circuitBreaker.breakDuration": .duration(.seconds(5)),
                "circuitBreaker.maxBreakDuration": .duration(.seconds(30)),
                "circuitBreaker.halfOpenMaxDuration": .duration(.seconds(10)),
                "retry.budgetRatio": .number(1_000),
                "retry.budgetMinPerSecond": .number(1_000_000),
            ]
        case .staging:
            ["circuitBreaker.breakDuration": .duration(.seconds(10))]
        case .production:
            [:]
        }
    }

    /// The defaults of `Section` under this profile, in the section named `section`.
    package func defaults<Section: ConfigurationSection>(of type: Section.Type, in section: String) -> Section {
        var configuration = Section.defaults
        for key in Section.keys {
            guard let value = overrides["\(section).\(key.name)"] else { continue }
            try? key.apply(&configuration, value)
        }
        return configuration
    }
}
