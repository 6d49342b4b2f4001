import Logging
import Metrics

/// One bulkhead per kind of resource — `llm`, `openfga`, `redis`, `db` — created on first use.
///
/// ```swift
/// let bulkheads = BulkheadRegistry<String, ContinuousClock>(
///     name: "resources",
///     defaultConfiguration: BulkheadConfiguration(maxConcurrent: 25),
///     overrides: [
///         "llm": BulkheadConfiguration(maxConcurrent: 10, maxQueued: 20, maxWait: .seconds(5)),
///         "openfga": BulkheadConfiguration(maxConcurrent: 50),
///         "redis": BulkheadConfiguration(maxConcurrent: 100),
///         "db": BulkheadConfiguration(maxConcurrent: 20, maxQueued: 40),
///     ],
///     clock: ContinuousClock())
/// let rows = try await bulkheads.bulkhead(for: "db").execute { try await database.query(sql) }
/// ```
///
/// Each bulkhead is named `"<name>.<key>"` in errors, metrics and logs (override with `bulkheadName`),
/// so keys become metric label values: use a handful of resource kinds, not per-request keys.
///
/// Unlike ``CircuitBreakerRegistry``, the registry never evicts: a bulkhead forgotten while some task
/// still runs calls through it would let a fresh bulkhead for the same key admit another full
/// capacity, and the bound the bulkhead exists for would be broken. It holds at most
/// `maximumBulkheads`; a new key beyond that throws ``BulkheadRegistryError``.
///
/// ``reconfigure(_:for:)`` changes a key's limits at run time: the key's bulkhead, if it
/// exists, applies them at once (see ``Bulkhead``), and a bulkhead created later for that key starts
/// with them.
public final class BulkheadRegistry<Key: Hashable & Sendable, C: Clock>: Sendable where C.Duration == Duration {
    @usableFromInline
    struct State {
        @usableFromInline var bulkheads: [Key: Bulkhead<C>] = [:]
        /// Per-key configurations: the initial overrides, then every run-time update.
        var overrides: [Key: BulkheadConfiguration]
        init(overrides: [Key: BulkheadConfiguration]) { self.overrides = overrides }
    }

    /// The registry's name, the prefix of its bulkheads' names.
    public let name: String
    /// The configuration of keys without an override.
    public let defaultConfiguration: BulkheadConfiguration
    /// The most bulkheads the registry holds.
    public let maximumBulkheads: Int

    private let clock: C
    private let logger: Logger?
    private let metricsFactory: (any MetricsFactory)?
    private let bulkheadName: @Sendable (Key) -> String
    @usableFromInline let state: Locked<State>

    /// Creates an empty registry.
    /// - Parameters:
    ///   - name: the registry's name, prefix of the bulkheads' names.
    ///   - defaultConfiguration: the configuration of keys without an override.
    ///   - overrides: per-key configurations.
    ///   - maximumBulkheads: the bound on the number of bulkheads held (≥ 1). Default: 1000.
    ///   - clock: the clock of every bulkhead.
    ///   - bulkheadName: names the bulkhead of a key; default `"<name>.<key>"`.
    ///   - logger: passed to every bulkhead.
    ///   - metricsFactory: passed to every bulkhead.
    ///
    /// An invalid configuration stops the process with a message naming the key (`default.maxConcurrent`,
    /// `overrides[llm].maxWait`, `maximumBulkheads`): see ``ConfigurationError``.
    public init(
        name: String,
        defaultConfiguration: BulkheadConfiguration = BulkheadConfiguration(),
        overrides: [Key: BulkheadConfiguration] = [:],
        maximumBulkheads: Int = 1000,
        clock: C = ContinuousClock(),
        bulkheadName: (@Sendable (Key) -> String)? = nil,
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        ConfigurationError.required("BulkheadRegistry \"\(name)\"") { () throws(ConfigurationError) in
            try Self.validate(
                defaultConfiguration: defaultConfiguration, overrides: overrides, maximumBulkheads: maximumBulkheads)
        }
        self.name = name
        self.defaultConfiguration = defaultConfiguration
        self.maximumBulkheads = maximumBulkheads
        self.clock = clock
        self.logger = logger
        self.metricsFactory = metricsFactory
        self.bulkheadName = bulkheadName ?? { key in "\(name).\(key)" }
        self.state = Locked(State(overrides: overrides))
    }

    /// Checks the configurations as the initializer does, for ones that come from outside the code.
    /// - Throws: ``ConfigurationError`` naming `default.<key>`, `overrides[<key>].<key>` or
    ///   `maximumBulkheads`.
    public static func validate(
        defaultConfiguration: BulkheadConfiguration = BulkheadConfiguration(),
        overrides: [Key: BulkheadConfiguration] = [:], maximumBulkheads: Int = 1000
    ) throws(ConfigurationError) {
        try ConfigurationError.check(maximumBulkheads >= 1, "maximumBulkheads", "\(maximumBulkheads)", ">= 1")
        do throws(ConfigurationError) {
            try defaultConfiguration.validate()
        } catch {
            throw error.prefixingKey(with: "default")
        }
        for (key, configuration) in overrides {
            do throws(ConfigurationError) {
                try configuration.validate()
            } catch {
                throw error.prefixingKey(with: "overrides[\(key)]")
            }
        }
    }

    /// The bulkhead of `key`, created with the key's configuration on first use.
    /// - Throws: ``BulkheadRegistryError`` when the registry already holds `maximumBulkheads` others.
    @inlinable
    public func bulkhead(for key: Key) throws(BulkheadRegistryError) -> Bulkhead<C> {
        if let existing = state.withLock({ $0.bulkheads[key] }) { return existing }
        return try insertBulkhead(for: key)
    }

    /// Creates the bulkhead of a key seen for the first time.
    @usableFromInline
    func insertBulkhead(for key: Key) throws(BulkheadRegistryError) -> Bulkhead<C> {
        try state.withLock { (state) throws(BulkheadRegistryError) -> Bulkhead<C> in
            if let existing = state.bulkheads[key] { return existing }  // another task was first
            guard state.bulkheads.count < maximumBulkheads else {
                throw BulkheadRegistryError(
                    registryName: name, maximumBulkheads: maximumBulkheads, key: String(describing: key))
            }
            let bulkhead = makeBulkhead(for: key, configuration: state.overrides[key] ?? defaultConfiguration)
            state.bulkheads[key] = bulkhead
            return bulkhead
        }
    }

    /// Changes the limits of `key`: its bulkhead applies them at once, and one created later starts
    /// with them.
    /// - Throws: ``ConfigurationError`` naming the invalid key (prefixed `overrides[<key>]`); nothing
    ///   changes then.
    public func reconfigure(_ configuration: BulkheadConfiguration, for key: Key) throws(ConfigurationError) {
        do {
            try configuration.validate()
        } catch {
            throw error.prefixingKey(with: "overrides[\(key)]")
        }
        // Under the registry's lock, so that a bulkhead being created for the key cannot start with
        // the old configuration after this returns. (The bulkhead's own lock is taken inside; the
        // registry's lock is never taken under a bulkhead's, so the order is fixed.)
        try state.withLock { (state) throws(ConfigurationError) in
            state.overrides[key] = configuration
            try state.bulkheads[key]?.reconfigure(configuration)
        }
    }

    /// The configuration `key` has, or would have on creation.
    public func configuration(for key: Key) -> BulkheadConfiguration {
        state.withLock { $0.overrides[key] ?? defaultConfiguration }
    }

    /// Stats of every bulkhead held, by key.
    public var stats: [Key: BulkheadStats] {
        state.withLock { $0.bulkheads }.mapValues(\.stats)
    }

    /// The number of bulkheads held.
    public var count: Int { state.withLock { $0.bulkheads.count } }

    /// A bulkhead for `key`; every configuration the registry holds was validated when it was given.
    private func makeBulkhead(for key: Key, configuration: BulkheadConfiguration) -> Bulkhead<C> {
        Bulkhead(
            name: bulkheadName(key), configuration: configuration, clock: clock, logger: logger,
            metricsFactory: metricsFactory)
    }
}

/// The registry already holds its maximum number of bulkheads, and never evicts one (see
/// ``BulkheadRegistry``), so a new key cannot get a bulkhead.
public struct BulkheadRegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The registry's name.
    public var registryName: String
    /// Its bound.
    public var maximumBulkheads: Int
    /// The key that could not get a bulkhead.
    public var key: String

    public var description: String {
        "bulkhead registry '\(registryName)' holds its maximum of \(maximumBulkheads) bulkheads and never evicts "
            + "one, so key '\(key)' cannot get a bulkhead; raise maximumBulkheads or use fewer keys"
    }
}
