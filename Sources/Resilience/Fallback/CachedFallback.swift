import Logging
import Metrics

/// Answers a failed call with the last good value, if it is younger than a time to live.
///
/// ```swift
/// let rates = CachedFallback<ExchangeRates, ContinuousClock>(
///     name: "rates", configuration: FallbackCacheConfiguration(timeToLive: .seconds(300)))
/// let current = try await rates.execute(context: context) { context in
///     try await pipeline.execute(context: context) { _ in try await api.rates() }
/// }
/// ```
///
/// Rules:
/// - Each success stores its value with the instant (on the fallback's clock), per key (see
///   ``FallbackCacheKeying``; one value per fallback by default). A value the predicate's classifier
///   counts as a failure is returned but not stored.
/// - A handled failure (see ``FallbackPredicate``; never cancellation) is answered with the stored
///   value when its age is less than ``FallbackCacheConfiguration/timeToLive``. An age equal to the
///   time to live is expired. An expired value is dropped.
/// - Without a fresh value, the `otherwise` strategy (or the per-call handler) answers; without one,
///   or when it declines, the caller gets the original error unchanged. To serve expired values
///   too, marked as such, use ``StaleDataFallback``.
///
/// Cost: a successful call derives its key, reads the clock and stores the value under one short
/// lock; no allocation after warm-up (a new key may grow the cache, up to `maximumKeys`).
public final class CachedFallback<Value: Sendable, C: Clock>: FallbackPolicy where C.Duration == Duration {
    /// A fallback of this kind returns the value itself.
    public typealias Output = Value

    /// The name used in metrics labels and logs. Keep it low-cardinality.
    public let name: String
    /// The validated configuration.
    public let configuration: FallbackCacheConfiguration
    /// Decides which failed calls are handled, and which returned values are not cached.
    public var predicate: FallbackPredicate { core.predicate }

    @usableFromInline let core: FallbackCore<Value>
    @usableFromInline let cache: FallbackCacheStore<Value, C>

    /// Creates a caching fallback with an empty cache.
    /// - Parameters:
    ///   - name: a low-cardinality name for metrics and logs.
    ///   - configuration: time to live and number of keys; validated here.
    ///   - keying: which cached value a call stores and reads.
    ///   - strategy: what answers when there is no fresh value; `nil`: decline.
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
        keyedBy keying: FallbackCacheKeying = .shared,
        otherwise strategy: FallbackStrategy<Value>? = nil,
        handling predicate: FallbackPredicate = .default,
        clock: C = ContinuousClock(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil,
        onFallback: (@Sendable (FallbackEvent) -> Void)? = nil
    ) {
        ConfigurationError.required("CachedFallback \"\(name)\"") { () throws(ConfigurationError) in try configuration.validate() }
        self.name = name
        self.configuration = configuration
        self.core = FallbackCore(
            name: name, predicate: predicate, strategy: strategy, logger: logger, metricsFactory: metricsFactory,
            onFallback: onFallback)
        self.cache = FallbackCacheStore(
            configuration: configuration, maximumAge: configuration.timeToLive, keying: keying,
            classifier: predicate.classifier, clock: clock)
    }

    /// Runs `operation`, stores its value; answers a handled failure with a fresh cached value, else
    /// with the `otherwise` strategy.
    /// - Throws: the operation's error, unchanged, when it is not handled, or nothing answers; the
    ///   strategy's error when it throws.
    @inlinable
    public nonisolated(nonsending) func execute(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        let value: Value
        do {
            value = try await operation(context)
        } catch {
            return try await recover(from: error, context: context)
        }
        cache.store(value, context: context)
        return value
    }

    /// Like ``execute(context:_:)``, with `handler` answering instead of the `otherwise` strategy when
    /// there is no fresh value.
    @inlinable
    public nonisolated(nonsending) func execute(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value,
        otherwise handler: nonisolated(nonsending) (FallbackCause) async throws -> FallbackDecision<Value>
    ) async throws -> Value {
        let value: Value
        do {
            value = try await operation(context)
        } catch {
            return try await recover(from: error, context: context, with: handler)
        }
        cache.store(value, context: context)
        return value
    }

    /// The failure path with the `otherwise` strategy.
    @usableFromInline
    nonisolated(nonsending) func recover(from error: any Error, context: ResilienceContext) async throws -> Value {
        try await recover(from: error, context: context) { cause in try await core.decideWithStrategy(cause) }
    }

    /// The failure path: a fresh cached value, else `handler`.
    @usableFromInline
    nonisolated(nonsending) func recover(
        from error: any Error, context: ResilienceContext,
        with handler: nonisolated(nonsending) (FallbackCause) async throws -> FallbackDecision<Value>
    ) async throws -> Value {
        guard let cause = core.cause(of: error, context: context) else { throw error }
        if case .fresh(let value, let age) = cache.lookup(context: context) {
            core.report(cause, .served(.cache(age: age)))
            return value
        }
        return try await core.resolve(cause, rethrowing: error, with: handler)
    }

    /// How many keys hold a value.
    public var cachedKeyCount: Int { cache.count }

    /// Forgets every cached value, for example when the data is known to have changed.
    public func removeAllCachedValues() { cache.removeAll() }
}
