import Logging
import Metrics
import Synchronization

/// One circuit breaker per key — per endpoint, host or tenant — created on first use.
///
/// ```swift
/// let breakers = CircuitBreakerRegistry<String, ContinuousClock>(
///     name: "http",
///     defaultConfiguration: CircuitBreakerConfiguration(failureRatio: 0.5),
///     overrides: ["api.slow-partner.com": CircuitBreakerConfiguration(breakDuration: .seconds(120))],
///     clock: ContinuousClock())
/// let breaker = try breakers.breaker(for: request.host)
/// ```
///
/// The registry holds at most `maximumBreakers` breakers. When a new key arrives at the bound, the least
/// recently used breaker that is plainly **closed** is evicted (its counts are forgotten; anyone still
/// holding it keeps a working, unregistered breaker). Open, half-open and forced breakers are never
/// evicted, because forgetting them would send full traffic to a dependency known to be failing or
/// override an operator's decision; if every breaker is in such a state, ``breaker(for:)`` throws
/// ``CircuitBreakerRegistryError`` rather than exceed the bound.
///
/// Each breaker is named `"<name>.<key>"` in errors, metrics and logs (override with `breakerName`).
/// Keys therefore become metric label values: use per-endpoint or per-host keys, not per-request ones.
public final class CircuitBreakerRegistry<Key: Hashable & Sendable, C: Clock>: Sendable where C.Duration == Duration {
    @usableFromInline
    struct Entry {
        @usableFromInline let breaker: CircuitBreaker<C>
        @usableFromInline var lastUsed: UInt64
        @usableFromInline init(breaker: CircuitBreaker<C>, lastUsed: UInt64) {
            self.breaker = breaker
            self.lastUsed = lastUsed
        }
    }

    @usableFromInline
    struct State {
        @usableFromInline var entries: [Key: Entry] = [:]
        @usableFromInline var tick: UInt64 = 0
        @usableFromInline init() {}
    }

    /// The registry's name, the prefix of its breakers' names.
    public let name: String
    /// The configuration of keys without an override.
    public var defaultConfiguration: CircuitBreakerConfiguration { validatedDefault.raw }
    /// Per-key configurations.
    public var overrides: [Key: CircuitBreakerConfiguration] { validatedOverrides.mapValues(\.raw) }
    /// The most breakers the registry holds at once.
    public let maximumBreakers: Int

    private let validatedDefault: ValidatedCircuitBreakerConfiguration
    private let validatedOverrides: [Key: ValidatedCircuitBreakerConfiguration]
    private let classifier: FailureClassifier
    private let clock: C
    private let logger: Logger?
    private let metricsFactory: (any MetricsFactory)?
    private let breakerName: @Sendable (Key) -> String
    @usableFromInline let state = Locked(State())

    /// Creates an empty registry.
    /// - Parameters:
    ///   - name: the registry's name, prefix of the breakers' names.
    ///   - defaultConfiguration: the configuration of keys without an override.
    ///   - overrides: per-key configurations.
    ///   - maximumBreakers: the bound on the number of breakers held (≥ 1). Default: 1000.
    ///   - classifier: the failure classifier of every breaker.
    ///   - clock: the clock of every breaker.
    ///   - breakerName: names the breaker of a key; default `"<name>.<key>"`.
    ///   - logger: passed to every breaker.
    ///   - metricsFactory: passed to every breaker.
    ///
    /// An invalid configuration stops the process with a message naming the key (`default.failureRatio`,
    /// `overrides[<key>].breakDuration`, `maximumBreakers`): see ``ConfigurationError``.
    public init(
        name: String,
        defaultConfiguration: CircuitBreakerConfiguration = CircuitBreakerConfiguration(),
        overrides: [Key: CircuitBreakerConfiguration] = [:],
        maximumBreakers: Int = 1000,
        classifier: FailureClassifier = .default,
        clock: C = ContinuousClock(),
        breakerName: (@Sendable (Key) -> String)? = nil,
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        (validatedDefault, validatedOverrides) = ConfigurationError.required("CircuitBreakerRegistry \"\(name)\"") {
            () throws(ConfigurationError) in
            try Self.validated(defaultConfiguration, overrides: overrides, maximumBreakers: maximumBreakers)
        }
        self.name = name
        self.maximumBreakers = maximumBreakers
        self.classifier = classifier
        self.clock = clock
        self.breakerName = breakerName ?? { key in "\(name).\(key)" }
        self.logger = logger
        self.metricsFactory = metricsFactory
    }

    /// Checks the configurations as the initializer does, for ones that come from outside the code.
    /// - Throws: ``ConfigurationError`` naming `default.<key>`, `overrides[<key>].<key>` or
    ///   `maximumBreakers`.
    public static func validate(
        defaultConfiguration: CircuitBreakerConfiguration = CircuitBreakerConfiguration(),
        overrides: [Key: CircuitBreakerConfiguration] = [:], maximumBreakers: Int = 1000
    ) throws(ConfigurationError) {
        _ = try validated(defaultConfiguration, overrides: overrides, maximumBreakers: maximumBreakers)
    }

    /// The default and override configurations, validated; the errors name `default.`, `overrides[<key>].`
    /// or `maximumBreakers`.
    static func validated(
        _ defaultConfiguration: CircuitBreakerConfiguration, overrides: [Key: CircuitBreakerConfiguration],
        maximumBreakers: Int
    ) throws(ConfigurationError) -> (ValidatedCircuitBreakerConfiguration, [Key: ValidatedCircuitBreakerConfiguration]) {
        guard maximumBreakers >= 1 else {
            throw ConfigurationError(key: "maximumBreakers", value: "\(maximumBreakers)", allowed: ">= 1")
        }
        let validatedDefault: ValidatedCircuitBreakerConfiguration
        do {
            validatedDefault = try ValidatedCircuitBreakerConfiguration(defaultConfiguration)
        } catch {
            throw error.prefixingKey(with: "default")
        }
        var validatedOverrides: [Key: ValidatedCircuitBreakerConfiguration] = [:]
        for (key, configuration) in overrides {
            do {
                validatedOverrides[key] = try ValidatedCircuitBreakerConfiguration(configuration)
            } catch {
                throw error.prefixingKey(with: "overrides[\(key)]")
            }
        }
        return (validatedDefault, validatedOverrides)
    }

    /// The breaker of `key`, created with the key's configuration on first use.
    /// - Throws: ``CircuitBreakerRegistryError`` when the registry is at its bound and no closed breaker
    ///   can be evicted.
    @inlinable
    public func breaker(for key: Key) throws(CircuitBreakerRegistryError) -> CircuitBreaker<C> {
        // The common case, specialised in the caller: the key has a breaker.
        let existing = state.withLock { state -> CircuitBreaker<C>? in
            state.tick &+= 1
            guard let index = state.entries.index(forKey: key) else { return nil }
            state.entries.values[index].lastUsed = state.tick
            return state.entries.values[index].breaker
        }
        if let existing { return existing }
        return try insertBreaker(for: key)
    }

    /// Creates the breaker of a key seen for the first time, evicting one if the registry is full.
    @usableFromInline
    func insertBreaker(for key: Key) throws(CircuitBreakerRegistryError) -> CircuitBreaker<C> {
        try state.withLock { (state) throws(CircuitBreakerRegistryError) -> CircuitBreaker<C> in
            if let existing = state.entries[key] {
                return existing.breaker  // another task inserted it in the meantime
            }
            if state.entries.count >= maximumBreakers {
                let evictable = state.entries
                    .filter { $0.value.breaker.isPlainlyClosed }
                    .min { $0.value.lastUsed < $1.value.lastUsed }
                guard let victim = evictable?.key else {
                    throw CircuitBreakerRegistryError(
                        registryName: name, maximumBreakers: maximumBreakers, key: String(describing: key))
                }
                state.entries[victim] = nil
            }
            let breaker = makeBreaker(for: key)
            state.entries[key] = Entry(breaker: breaker, lastUsed: state.tick)
            return breaker
        }
    }

    /// Resets the breaker of `key` to closed with an empty window, if the registry holds one.
    public func reset(_ key: Key) {
        let breaker = state.withLock { $0.entries[key]?.breaker }
        breaker?.reset()
    }

    /// Resets every breaker.
    public func resetAll() {
        for breaker in state.withLock({ $0.entries.values.map(\.breaker) }) { breaker.reset() }
    }

    /// The state of every breaker held, by key (reading applies due time-driven transitions).
    public var states: [Key: CircuitState] {
        snapshotBreakers().mapValues(\.state)
    }

    /// Stats of every breaker held, by key.
    public var stats: [Key: CircuitBreakerStats] {
        snapshotBreakers().mapValues(\.stats)
    }

    /// The number of breakers held.
    public var count: Int { state.withLock { $0.entries.count } }

    /// The breakers, copied out so that reading them never happens under the registry's lock.
    private func snapshotBreakers() -> [Key: CircuitBreaker<C>] {
        state.withLock { $0.entries.mapValues(\.breaker) }
    }

    private func makeBreaker(for key: Key) -> CircuitBreaker<C> {
        CircuitBreaker(
            name: breakerName(key), validated: validatedOverrides[key] ?? validatedDefault, classifier: classifier,
            clock: clock, logger: logger, metricsFactory: metricsFactory)
    }
}

/// The registry is at its bound and every breaker it holds is open, half-open or forced, so none can be
/// evicted for a new key.
public struct CircuitBreakerRegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The registry's name.
    public var registryName: String
    /// Its bound.
    public var maximumBreakers: Int
    /// The key that could not get a breaker.
    public var key: String

    public var description: String {
        "circuit breaker registry '\(registryName)' holds its maximum of \(maximumBreakers) breakers and none is "
            + "closed, so none can be evicted for key '\(key)'; raise maximumBreakers or use fewer keys"
    }
}
