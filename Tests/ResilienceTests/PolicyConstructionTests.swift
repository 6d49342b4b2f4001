import Foundation
import Resilience
import Testing

/// Policy initializers do not throw: a configuration written in code must be valid, and an invalid one
/// stops the process with a message naming the policy and the key (see `ConfigurationError`). Each
/// case runs in a child process (an exit test).
@Suite("Policies are created without try; an invalid configuration in code stops with the key named")
struct PolicyConstructionTests {
    /// What a global, a static and a stored property's default value can now be.
    static let globalBreaker = CircuitBreaker(name: "global")
    let storedRetry = Retry(name: "stored", configuration: RetryConfiguration(maxAttempts: 2))

    @Test("A policy can be a static, or a stored property's default value")
    func storable() {
        #expect(Self.globalBreaker.name == "global")
        #expect(storedRetry.name == "stored")
    }

    @Test("The common one-parameter forms build what the configuration forms build")
    func guessableForms() {
        guard case .table(let table) = Timeout(name: "t", duration: .seconds(2)).source else {
            Issue.record("expected a fixed duration")
            return
        }
        #expect(table == TimeoutTable(default: .seconds(2)))
        #expect(Retry(name: "r", maxAttempts: 4).configuration == RetryConfiguration(maxAttempts: 4))
        #expect(Bulkhead(name: "b", maxConcurrent: 10).configuration == BulkheadConfiguration(maxConcurrent: 10))
        #expect(Bulkhead(name: "b", maxConcurrent: 10, maxQueued: 5).configuration == BulkheadConfiguration(maxConcurrent: 10, maxQueued: 5))
        #expect(RateLimiter(name: "l", permitsPerSecond: 100).configuration == RateLimiterConfiguration(permitsPerSecond: 100))
        #expect(RateLimiter(name: "l", permitsPerSecond: 100, burst: 20).configuration == RateLimiterConfiguration(permitsPerSecond: 100, burst: 20))
        let registry = CircuitBreakerRegistry<String, ContinuousClock>(name: "http")  // the clock defaults too
        #expect(registry.count == 0 && registry.defaultConfiguration == CircuitBreakerConfiguration())
    }

    @Test("An invalid circuit breaker configuration stops the process, naming the breaker and the key")
    func breakerStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = CircuitBreaker(name: "payments", configuration: CircuitBreakerConfiguration(failureRatio: 2))
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains(#"CircuitBreaker "payments": failureRatio: 2.0 is not allowed; allowed: (0, 1]"#), "\(stderr)")
    }

    /// One invalid configuration per policy, and the message its initializer must stop with.
    enum Invalid: String, CaseIterable, Codable, Sendable {
        case retry, timeout, bulkhead, rateLimiter, keyedRateLimiter, slidingWindow, concurrencyLimiter, loadShedder
        case cascade, degradation, adaptiveTimeout, hedging, retryBudget, breakerRegistry, bulkheadRegistry
        case retryWithBreaker, cachedFallback, staleFallback, pressureSampler

        var expected: String {
            switch self {
            case .retry: #"Retry "r": maxAttempts: 0 is not allowed"#
            case .timeout: #"Timeout "t": duration: 0s is not allowed"#
            case .bulkhead: #"Bulkhead "b": maxConcurrent: 0 is not allowed"#
            case .rateLimiter: #"RateLimiter "l": permitsPerSecond: 0.0 is not allowed"#
            case .keyedRateLimiter: #"KeyedRateLimiter "k": permitsPerSecond: 0.0 is not allowed"#
            case .slidingWindow: #"SlidingWindowRateLimiter "w": limit: 0 is not allowed"#
            case .concurrencyLimiter: #"ConcurrencyLimiter "c": maxLimit: 0 is not allowed"#
            case .loadShedder: #"LoadShedder "s": pressure.cpu: thresholds without a gauge is not allowed"#
            case .cascade: #"CascadePreventor "p": coolDown: -1s is not allowed"#
            case .degradation: #"GracefulDegradation "d": rules: [] is not allowed"#
            case .adaptiveTimeout: #"AdaptiveTimeout "a": windowSize: 0 is not allowed"#
            case .hedging: #"Hedging "h": maxHedgedAttempts: 0 is not allowed"#
            case .retryBudget: #"RetryBudget: budgetRatio: -1.0 is not allowed"#
            case .breakerRegistry: #"CircuitBreakerRegistry "cr": maximumBreakers: 0 is not allowed"#
            case .bulkheadRegistry: #"BulkheadRegistry "br": overrides[x].maxConcurrent: 0 is not allowed"#
            case .retryWithBreaker: #"RetryWithCircuitBreaker "rb": circuitBreaker.failureRatio: 2.0 is not allowed"#
            case .cachedFallback: #"CachedFallback "f": timeToLive: 0s is not allowed"#
            case .staleFallback: #"StaleDataFallback "sf": maximumAge: 1s is not allowed"#
            case .pressureSampler: #"PressureSampler: sources: [] is not allowed"#
            }
        }

        /// Creates the policy, which must stop the process.
        func create() {
            switch self {
            case .retry: _ = Retry(name: "r", configuration: RetryConfiguration(maxAttempts: 0))
            case .timeout: _ = Timeout(name: "t", configuration: TimeoutConfiguration(duration: .zero))
            case .bulkhead: _ = Bulkhead(name: "b", configuration: BulkheadConfiguration(maxConcurrent: 0))
            case .rateLimiter: _ = RateLimiter(name: "l", configuration: RateLimiterConfiguration(permitsPerSecond: 0))
            case .keyedRateLimiter:
                _ = KeyedRateLimiter<String, ContinuousClock>(
                    name: "k", configuration: KeyedRateLimiterConfiguration(permitsPerSecond: 0), key: { _ in "x" })
            case .slidingWindow:
                _ = SlidingWindowRateLimiter(name: "w", configuration: SlidingWindowRateLimiterConfiguration(limit: 0, window: .seconds(1)))
            case .concurrencyLimiter: _ = ConcurrencyLimiter(name: "c", configuration: ConcurrencyLimitConfiguration(maxLimit: 0))
            case .loadShedder:
                _ = LoadShedder(
                    name: "s",
                    configuration: LoadShedderConfiguration(pressure: ["cpu": LoadShedThresholds(low: 0.5, normal: nil, high: nil)]))
            case .cascade: _ = CascadePreventor(name: "p", configuration: CascadePreventorConfiguration(coolDown: .seconds(-1)))
            case .degradation: _ = GracefulDegradation(name: "d", inputs: [], rules: [])
            case .adaptiveTimeout: _ = AdaptiveTimeout(name: "a", configuration: AdaptiveTimeoutConfiguration(windowSize: 0))
            case .hedging: _ = Hedging(name: "h", configuration: HedgingConfiguration(maxHedgedAttempts: 0), budget: nil)
            case .retryBudget: _ = RetryBudget(ratio: -1)
            case .breakerRegistry: _ = CircuitBreakerRegistry<String, ContinuousClock>(name: "cr", maximumBreakers: 0)
            case .bulkheadRegistry:
                _ = BulkheadRegistry<String, ContinuousClock>(name: "br", overrides: ["x": BulkheadConfiguration(maxConcurrent: 0)])
            case .retryWithBreaker:
                _ = RetryWithCircuitBreaker(name: "rb", circuitBreaker: CircuitBreakerConfiguration(failureRatio: 2))
            case .cachedFallback:
                _ = CachedFallback<Int, ContinuousClock>(name: "f", configuration: FallbackCacheConfiguration(timeToLive: .zero))
            case .staleFallback:
                _ = StaleDataFallback<Int, ContinuousClock>(
                    name: "sf", configuration: FallbackCacheConfiguration(timeToLive: .seconds(1)), maximumAge: .seconds(1))
            case .pressureSampler: _ = PressureSampler(sources: [])
            }
        }
    }

    @Test("Every policy's initializer stops on an invalid configuration, naming the policy and the key", arguments: Invalid.allCases)
    func everyPolicyStops(invalid: Invalid) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [invalid] in
            invalid.create()
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains(invalid.expected), "\(stderr)")
    }
}
