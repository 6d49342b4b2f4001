import Logging
import Metrics

/// A token-bucket rate limiter per key (client, tenant, API key), in bounded memory.
///
/// ```swift
/// enum Tenant: ResilienceContextKey { typealias Value = String }
///
/// let perTenant = KeyedRateLimiter(
///     name: "tenants",
///     configuration: KeyedRateLimiterConfiguration(permitsPerSecond: 5, burst: 20),
///     key: { context in context.metadata[Tenant.self] ?? "anonymous" })
///
/// var context = ResilienceContext(operationName: "search")
/// context.metadata[Tenant.self] = request.tenantID
/// let results = try await perTenant.execute(context: context) { _ in try await search(request) }
/// // or, without a context:
/// let results = try await perTenant.execute(key: request.tenantID) { try await search(request) }
/// ```
///
/// **The key.** In a pipeline (``execute(context:_:)``) the key comes from the `key` closure given at
/// creation, which reads the call's ``ResilienceContext`` (typically its metadata, which telemetry
/// never exports); ``execute(key:cost:_:)`` takes it explicitly. Keys never become metric labels.
///
/// Each key's bucket follows `TokenBucketStateMachine` exactly as a ``RateLimiter`` would. Memory is
/// bounded: a key's bucket is dropped once it is full again (when it behaves exactly as a new one), and
/// at most `maxKeys` keys are held; a new key arriving at the bound when none can be dropped is
/// rejected with `rateLimited` (never given a free burst by evicting another key early): see
/// `KeyedTokenBucketStateMachine`.
///
/// **Cost.** One lock for the whole table, held for one hash lookup and the bucket's arithmetic; no
/// allocation for a known key. A sweep for full buckets runs after as many calls as there are keys
/// (O(1) amortized, O(keys) for the call that runs it).
public final class KeyedRateLimiter<Key: Hashable & Sendable, C: Clock>: ResiliencePolicy where C.Duration == Duration {
    /// The name used in errors, metrics labels and logs. Keep it low-cardinality.
    public var name: String { shell.name }
    /// The configuration the limiter runs with: the one it was created with, or the last one
    /// ``reconfigure(_:)`` applied.
    public var configuration: KeyedRateLimiterConfiguration { shell.read { machine, _ in machine.configuration } }

    @usableFromInline let shell: RateLimitShell<C, KeyedTokenBucketStateMachine<Key>>
    @usableFromInline let key: @Sendable (ResilienceContext) -> Key

    /// Creates a limiter with no keys yet.
    /// - Parameters:
    ///   - name: a low-cardinality name for errors, metrics and logs.
    ///   - configuration: each key's rate, burst and wait, and the bound on keys; validated here.
    ///   - key: the key of a call run with ``execute(context:_:)``.
    ///   - clock: the clock the rates are measured and waits are slept on; `ContinuousClock` by default.
    ///   - logger: receives a `warning` when new keys start being rejected at the key bound.
    ///   - metricsFactory: where the metrics go; by default the bootstrapped `MetricsSystem` factory.
    ///
    /// An invalid configuration stops the process with a message naming the key: a configuration written
    /// in code must be valid (see ``ConfigurationError``).
    public init(
        name: String,
        configuration: KeyedRateLimiterConfiguration,
        key: @escaping @Sendable (ResilienceContext) -> Key,
        clock: C = ContinuousClock(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        let machine = ConfigurationError.required("KeyedRateLimiter \"\(name)\"") {
            () throws(ConfigurationError) in try KeyedTokenBucketStateMachine<Key>(configuration: configuration)
        }
        self.key = key
        shell = RateLimitShell(
            name: name, machine: machine,
            maxWait: configuration.maxWait, clock: clock, logger: logger, metricsFactory: metricsFactory)
        shell.setMode(configuration.mode)
    }

    // MARK: - Executing

    /// Runs `operation` once `cost` permits of `key`'s bucket are taken (at once, or after waiting up to
    /// `maxWait`).
    /// - Throws: ``ResilienceError`` with code ``ResilienceError/Code/rateLimited`` and the exact
    ///   `retryAfter` when the permits are not available within `maxWait`, or when `key` is new and
    ///   `maxKeys` keys are held; `CancellationError` when cancelled while waiting (the permits are
    ///   returned); ``RateLimitCostError`` when `cost` is outside 1...⌊`burst`⌋; otherwise what
    ///   `operation` threw.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        key: Key,
        cost: Int = 1,
        _ operation: nonisolated(nonsending) () async throws -> Value
    ) async throws -> Value {
        try await shell.take(key, cost: cost)
        return try await operation()
    }

    /// Runs `operation`, with `context`, once its permits are taken from the bucket of the context's key
    /// (the `key` closure): ``RateLimitCost`` from the metadata (1 when absent), never waiting past the
    /// context's deadline. See ``execute(key:cost:_:)``.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        try await shell.take(key(context), cost: context.rateLimitCost, context: context)
        return try await operation(context)
    }

    /// Takes `cost` permits of `key`'s bucket, waiting up to `maxWait`, without running anything. Throws
    /// as ``execute(key:cost:_:)``.
    @inlinable
    public nonisolated(nonsending) func acquire(key: Key, cost: Int = 1) async throws {
        try await shell.take(key, cost: cost)
    }

    // MARK: - Reading

    /// The number of keys held.
    public var keyCount: Int { shell.read { machine, _ in machine.keyCount } }

    /// Runs with `configuration` from now on, keeping every key's bucket (a hot reload): each keeps the
    /// permits it lacks, at most the new `burst`, added back at the new rate (so a drained bucket stays
    /// drained), and its waiting calls keep their instants. A smaller `maxKeys` drops the buckets that
    /// are full now, as a sweep does; if more keys than the new bound are still held, none is dropped
    /// early (no key gets a free burst): new keys are rejected until enough buckets refill.
    /// - Throws: ``ConfigurationError`` naming the invalid key; the limiter is then unchanged.
    public func reconfigure(_ configuration: KeyedRateLimiterConfiguration) throws(ConfigurationError) {
        let now = shell.reader.offsetNow
        try shell.machine.withLock { (machine: inout KeyedTokenBucketStateMachine<Key>) throws(ConfigurationError) in
            try machine.reconfigure(configuration, now: now)
            shell.setMaxWait(configuration.maxWait)
            shell.setMode(configuration.mode)
        }
    }

    /// The permits in `key`'s bucket now (`burst` for a key not held: its bucket would start full).
    public func availablePermits(for key: Key) -> Double {
        shell.read { machine, now in machine.bucket(for: key)?.availablePermits(now: now) ?? machine.configuration.burst }
    }

    /// Buckets dropped because they were full again, since creation.
    public var droppedKeys: Int { shell.read { machine, _ in machine.droppedKeys } }

    /// New keys rejected because `maxKeys` keys were held and none could be dropped, since creation.
    public var keyLimitRejections: Int { shell.read { machine, _ in machine.keyLimitRejections } }
}
