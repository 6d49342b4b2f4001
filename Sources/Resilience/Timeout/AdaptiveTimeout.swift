import Metrics

/// Per-key timeouts that follow each key's recent latencies: the `percentile` (p99) of the last
/// `windowSize` latencies × `multiplier`, clamped to [`minimum`, `maximum`], after a warm-up of
/// `warmupCalls` latencies during which the timeout is `baseTimeout`. See
/// `AdaptiveTimeoutStateMachine` for the exact rules and `LatencyTracker` for the precision.
///
/// ```swift
/// let timeouts = AdaptiveTimeout(name: "partners")
/// let limit = timeouts.timeout(for: "api.partner.com")       // before the attempt
/// // ... run the attempt with `limit` ...
/// timeouts.record(elapsed, for: "api.partner.com")           // after it; `limit` if it timed out
/// let hedgeAfter = timeouts.percentile(0.95, for: "api.partner.com") ?? .seconds(2)
///
/// let endpoint = timeouts.endpoint("api.partner.com")        // or: one lookup for both
/// let limit = endpoint.timeout()
/// endpoint.record(elapsed)
/// ```
///
/// Keys are endpoints (hosts, routes), not requests. A key is created by its first ``record(_:for:)``;
/// ``timeout(for:)`` of a key never recorded is `baseTimeout` and creates nothing. At most `maxKeys` keys
/// are held: recording a new key at the bound evicts the **least recently used** key (used: its timeout,
/// percentile or a latency was asked for or recorded), whose latencies are forgotten — it warms up
/// again if it comes back. Evictions are counted in ``evictedKeys`` and in the metric
/// `resilience_adaptive_timeout_evicted_keys_total` (label `policy`); a steadily growing count means the
/// keys are too fine-grained or `maxKeys` too small.
///
/// Thread-safe. Each key's state has its own lock, held for the state machine's few operations; a
/// separate lock guards the key table, held for the lookup and the recency update only. So calls for
/// different keys contend only on the table's short critical section, and a percentile walk or a
/// ``stats(for:)`` on one key never blocks the others. No allocation per call once a key's window is
/// full. Hashing the key is the largest cost of a call (about 350 instructions for a 29-byte key, out of
/// about 1750 for ``timeout(for:)`` plus ``record(_:for:)``): ``endpoint(_:)`` looks the key up once for
/// both (about 1070).
///
/// Memory: per key, 2 bytes × `windowSize` plus 512 bytes per octave of latencies seen (at most 18 KB),
/// plus the key itself: about 5 KB with the defaults and latencies spanning 6 octaves (e.g. 5 ms to
/// 320 ms), so about 50 MB for 10,000 keys.
public final class AdaptiveTimeout: Sendable {
    /// One key's state and its lock.
    final class KeyState: Sendable {
        let machine: Locked<AdaptiveTimeoutStateMachine>
        init(_ settings: ValidatedAdaptiveTimeoutConfiguration) {
            machine = Locked(AdaptiveTimeoutStateMachine(validated: settings))
        }
    }

    /// The policy's name, the `policy` label of its metric.
    public let name: String
    let settings: ValidatedAdaptiveTimeoutConfiguration
    private let keys: Locked<LeastRecentlyUsedTable<String, KeyState>>
    private let evictionCounter: Counter

    /// The configuration.
    public var configuration: AdaptiveTimeoutConfiguration { settings.raw }

    /// An adaptive timeout with no keys yet.
    /// - Parameters:
    ///   - name: the policy's name, the `policy` label of its metric.
    ///   - configuration: percentile, multiplier, bounds, warm-up, window and key bound.
    ///   - metricsFactory: where the eviction counter goes; by default the bootstrapped `MetricsSystem`
    ///     factory.
    ///
    /// An invalid configuration stops the process with a message naming the key: a configuration written
    /// in code must be valid (see ``ConfigurationError``).
    public init(
        name: String = "adaptive-timeout",
        configuration: AdaptiveTimeoutConfiguration = AdaptiveTimeoutConfiguration(),
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        settings = ConfigurationError.required("AdaptiveTimeout \"\(name)\"") {
            () throws(ConfigurationError) in try ValidatedAdaptiveTimeoutConfiguration(configuration)
        }
        self.name = name
        keys = Locked(LeastRecentlyUsedTable(capacity: configuration.maxKeys))
        evictionCounter = Counter(
            label: "resilience_adaptive_timeout_evicted_keys_total", dimensions: [("policy", name)],
            factory: TelemetrySinks(logger: nil, metricsFactory: metricsFactory).factory)
    }

    /// The timeout for the next attempt on `key`: `baseTimeout` for a key that is unknown or warming up,
    /// else the adaptive one.
    public func timeout(for key: String) -> Duration {
        guard let state = keys.withLock({ $0.use(key) }) else { return settings.raw.baseTimeout }
        return state.machine.withLock { $0.currentTimeout() }
    }

    /// Records the latency of an attempt on `key`, creating the key if needed. For an attempt that timed
    /// out, record the timeout it was given (a lower bound of its latency; see
    /// `AdaptiveTimeoutStateMachine` for why that is safe).
    /// - Precondition: `latency` is not negative.
    public func record(_ latency: Duration, for key: String) {
        precondition(
            latency.attoseconds >= 0, "AdaptiveTimeout.record: a latency cannot be negative, got \(latency) for \(key)")
        let state = keys.withLock { $0.use(key) } ?? insert(key)
        state.machine.withLock { $0.record(latency: latency) }
    }

    /// The `p` percentile of `key`'s recent latencies (the bin bound of `LatencyTracker`, at most 1/128
    /// above the true value), e.g. for a hedging delay; `nil` for a key that is unknown or warming up. A
    /// percentile of 1 h or more is reported as 1 h (`LatencyTracker/overflowThreshold`).
    /// - Precondition: `p` is in (0, 1] with at most 9 decimal places.
    public func percentile(_ p: Double, for key: String) -> Duration? {
        let exact = LatencyTracker.exactPercentile(p)
        guard let state = keys.withLock({ $0.use(key) }) else { return nil }
        return state.machine.withLock { $0.percentile(exact)?.duration }
    }

    /// A snapshot of `key`, or `nil` for a key not held. Does not count as a use of the key.
    public func stats(for key: String) -> AdaptiveTimeoutStats? {
        guard let state = keys.withLock({ $0.peek(key) }) else { return nil }
        return state.machine.withLock { $0.stats() }
    }

    /// The keys held, most recently used first.
    public var keysByRecency: [String] { keys.withLock { $0.keysByRecency } }

    /// The number of keys held.
    public var keyCount: Int { keys.withLock { $0.count } }

    /// The state of `key`, looked up (and created, a use of the key) once for an attempt that will ask its
    /// timeout and record its latency: one table lookup instead of two. Keep it for that attempt only:
    /// if the key is evicted meanwhile, what is recorded through it is forgotten with the key.
    public func endpoint(_ key: String) -> Endpoint {
        Endpoint(state: keys.withLock { $0.use(key) } ?? insert(key))
    }

    /// One key's state, from ``AdaptiveTimeout/endpoint(_:)``.
    public struct Endpoint: Sendable {
        let state: KeyState

        /// The timeout for the next attempt: ``AdaptiveTimeout/timeout(for:)``.
        public func timeout() -> Duration {
            state.machine.withLock { $0.currentTimeout() }
        }

        /// Records an attempt's latency, or its timeout if it timed out: ``AdaptiveTimeout/record(_:for:)``.
        /// - Precondition: `latency` is not negative.
        public func record(_ latency: Duration) {
            state.machine.withLock { $0.record(latency: latency) }
        }

        /// ``AdaptiveTimeout/percentile(_:for:)`` of this key.
        /// - Precondition: `p` is in (0, 1] with at most 9 decimal places.
        public func percentile(_ p: Double) -> Duration? {
            let exact = LatencyTracker.exactPercentile(p)
            return state.machine.withLock { $0.percentile(exact)?.duration }
        }
    }

    /// Keys evicted since creation to keep at most `maxKeys`.
    public var evictedKeys: Int { keys.withLock { $0.evictions } }

    /// Creates the state of a key seen for the first time (outside the table's lock), and inserts it
    /// unless another task did first.
    private func insert(_ key: String) -> KeyState {
        let fresh = KeyState(settings)
        let (state, evicted) = keys.withLock { $0.use(key, insertingIfAbsent: fresh) }
        if evicted != nil { evictionCounter.increment() }
        return state
    }
}

/// A snapshot of one key of an ``AdaptiveTimeout``.
public struct AdaptiveTimeoutStats: Sendable, Hashable {
    /// Latencies recorded for the key since it was created (or last evicted), including those that left
    /// the window.
    public var recordedCalls: Int
    /// Latencies in the window: `min(recordedCalls, windowSize)`.
    public var windowCalls: Int
    /// Whether fewer than `warmupCalls` latencies were recorded, so that the timeout is `baseTimeout`.
    public var isWarmingUp: Bool
    /// The timeout the next attempt gets.
    public var timeout: Duration
    /// The median of the window (also during warm-up); `nil` when the window is empty.
    public var p50: LatencyPercentile?
    /// The 99th percentile of the window (also during warm-up); `nil` when the window is empty.
    public var p99: LatencyPercentile?
}

extension AdaptiveTimeoutStats: CustomStringConvertible {
    /// One line for a log, for example `timeout 1.204s from p99 < 802ms, p50 < 121ms; window 1000 of
    /// 5230 calls` (`warming up` instead of the percentile during warm-up).
    public var description: String {
        func text(_ percentile: LatencyPercentile?) -> String {
            switch percentile {
            case nil: "none"
            case .lessThan(let bound)?: "< \(DurationText.rounded(bound))"
            case .atLeast(let bound)?: ">= \(DurationText.rounded(bound))"
            }
        }
        let source = isWarmingUp ? "warming up" : "from p99 \(text(p99))"
        return "timeout \(DurationText.rounded(timeout)) \(source), p50 \(text(p50)); window \(windowCalls) of "
            + "\(recordedCalls) calls"
    }
}
