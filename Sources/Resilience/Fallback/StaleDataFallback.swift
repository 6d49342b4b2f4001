import Logging
import Metrics

/// Answers a failed call with the last good value even past its time to live, and says how old it is.
///
/// Returns a ``FallbackResult``: the value and its ``FallbackSource`` — `.primary` from the operation,
/// `.cache(age:)` when younger than the time to live, `.stale(age:)` when older, `.fallback` from the
/// `otherwise` strategy. A stale value cannot pass for a fresh one:
///
/// ```swift
/// let catalog = StaleDataFallback<Catalog, ContinuousClock>(
///     name: "catalog", configuration: FallbackCacheConfiguration(timeToLive: .seconds(60)),
///     maximumAge: .seconds(24 * 3600))
/// let result = try await catalog.execute(context: context) { context in
///     try await pipeline.execute(context: context) { _ in try await api.catalog() }
/// }
/// if result.isStale, let age = result.source.age { logger.info("serving a catalog \(age) old") }
/// ```
///
/// Rules: those of ``CachedFallback``, except that a value whose age is at least the time to live
/// is still served, as `.stale(age:)`, while its age is less than `maximumAge` (any age when
/// `maximumAge` is `nil`). A value that old is dropped.
///
/// Cost: as ``CachedFallback``; the result wrapper is a value, not an allocation.
public final class StaleDataFallback<Value: Sendable, C: Clock>: FallbackPolicy where C.Duration == Duration {
    /// The value with its source, so that a stale value is always marked.
    public typealias Output = FallbackResult<Value>

    /// The name used in metrics labels and logs. Keep it low-cardinality.
    public let name: String
    /// The validated configuration.
    public let configuration: FallbackCacheConfiguration
    /// The oldest value served, stale or not; `nil`: any age.
    public let maximumAge: Duration?
    /// Decides which failed calls are handled, and which returned values are not cached.
    public var predicate: FallbackPredicate { core.predicate }

    @usableFromInline let core: FallbackCore<Value>
    @usableFromInline let cache: FallbackCacheStore<Value, C>

    /// Creates a stale-data fallback with an empty cache.
    /// - Parameters:
    ///   - name: a low-cardinality name for metrics and logs.
    ///   - configuration: time to live and number of keys; validated here.
    ///   - maximumAge: the oldest value served at all; > `timeToLive`. `nil`: any age.
    ///   - keying: which cached value a call stores and reads.
    ///   - strategy: what answers when there is no value young enough; `nil`: decline.
    ///   - predicate: which failed calls are handled.
    ///   - clock: the clock ages are measured on; `ContinuousClock` by default.
    ///   - logger: receives a `debug` line per handled call; by default nothing is logged.
    ///   - metricsFactory: where the metrics go; by default the bootstrapped `MetricsSystem` factory.
    ///   - onFallback: called after each handled call, on the caller's task.
    ///
    /// An invalid configuration stops the process with a message naming the key: a configuration written
    /// in code must be valid (see ``ConfigurationError``).
    public init(
        name: String,
        configuration: FallbackCacheConfiguration,
        maximumAge: Duration? = nil,
        keyedBy keying: FallbackCacheKeying = .shared,
        otherwise strategy: FallbackStrategy<Value>? = nil,
        handling predicate: FallbackPredicate = .default,
        clock: C = ContinuousClock(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil,
        onFallback: (@Sendable (FallbackEvent) -> Void)? = nil
    ) {
        ConfigurationError.required("StaleDataFallback \"\(name)\"") { () throws(ConfigurationError) in
            try Self.validate(configuration, maximumAge: maximumAge)
        }
        self.name = name
        self.configuration = configuration
        self.maximumAge = maximumAge
        self.core = FallbackCore(
            name: name, predicate: predicate, strategy: strategy, logger: logger, metricsFactory: metricsFactory,
            onFallback: onFallback)
        self.cache = FallbackCacheStore(
            configuration: configuration, maximumAge: maximumAge, keying: keying, classifier: predicate.classifier,
            clock: clock)
    }

    /// Checks `configuration` and `maximumAge` as the initializer does, for ones that come from outside
    /// the code.
    /// - Throws: ``ConfigurationError`` naming the configuration's key, or `maximumAge` (more than
    ///   `timeToLive`, or none).
    public static func validate(_ configuration: FallbackCacheConfiguration, maximumAge: Duration?) throws(ConfigurationError) {
        try configuration.validate()
        if let maximumAge {
            try ConfigurationError.check(
                maximumAge > configuration.timeToLive, "maximumAge", DurationText.format(maximumAge),
                "> timeToLive (\(DurationText.format(configuration.timeToLive))), or none for any age")
        }
    }

    /// Runs `operation`, stores its value; answers a handled failure with the cached value, fresh or
    /// stale, else with the `otherwise` strategy.
    /// - Returns: the value and where it came from.
    /// - Throws: the operation's error, unchanged, when it is not handled, or nothing answers; the
    ///   strategy's error when it throws.
    @inlinable
    public nonisolated(nonsending) func execute(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> FallbackResult<Value> {
        let value: Value
        do {
            value = try await operation(context)
        } catch {
            return try await recover(from: error, context: context)
        }
        cache.store(value, context: context)
        return FallbackResult(value: value, source: .primary)
    }

    /// Like ``execute(context:_:)``, with `handler` answering instead of the `otherwise` strategy when
    /// there is no value young enough.
    @inlinable
    public nonisolated(nonsending) func execute(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value,
        otherwise handler: nonisolated(nonsending) (FallbackCause) async throws -> FallbackDecision<Value>
    ) async throws -> FallbackResult<Value> {
        let value: Value
        do {
            value = try await operation(context)
        } catch {
            return try await recover(from: error, context: context, with: handler)
        }
        cache.store(value, context: context)
        return FallbackResult(value: value, source: .primary)
    }

    /// The failure path with the `otherwise` strategy.
    @usableFromInline
    nonisolated(nonsending) func recover(from error: any Error, context: ResilienceContext) async throws -> FallbackResult<Value> {
        try await recover(from: error, context: context) { cause in try await core.decideWithStrategy(cause) }
    }

    /// The failure path: a cached value, fresh or stale, else `handler`.
    @usableFromInline
    nonisolated(nonsending) func recover(
        from error: any Error, context: ResilienceContext,
        with handler: nonisolated(nonsending) (FallbackCause) async throws -> FallbackDecision<Value>
    ) async throws -> FallbackResult<Value> {
        guard let cause = core.cause(of: error, context: context) else { throw error }
        let source: FallbackSource
        let value: Value
        switch cache.lookup(context: context) {
        case .fresh(let cached, let age):
            (value, source) = (cached, .cache(age: age))
        case .stale(let cached, let age):
            (value, source) = (cached, .stale(age: age))
        case .missing:
            return FallbackResult(
                value: try await core.resolve(cause, rethrowing: error, with: handler), source: .fallback)
        }
        core.report(cause, .served(source))
        return FallbackResult(value: value, source: source)
    }

    /// How many keys hold a value.
    public var cachedKeyCount: Int { cache.count }

    /// Forgets every cached value, for example when the data is known to have changed.
    public func removeAllCachedValues() { cache.removeAll() }
}
