import Testing
@testable import Resilience

@Suite("Rate limiter configurations")
struct RateLimiterConfigurationTests {
    @Test(
        "token bucket: out-of-range values are rejected with key, value and allowed range",
        arguments: [
            (RateLimiterConfiguration(permitsPerSecond: 0), "permitsPerSecond", "0.0"),
            (RateLimiterConfiguration(permitsPerSecond: -1, burst: 1), "permitsPerSecond", "-1.0"),
            (RateLimiterConfiguration(permitsPerSecond: .infinity, burst: 1), "permitsPerSecond", "inf"),
            (RateLimiterConfiguration(permitsPerSecond: .nan, burst: 1), "permitsPerSecond", "nan"),
            (RateLimiterConfiguration(permitsPerSecond: 1.0 / 3.0), "permitsPerSecond", "\(1.0 / 3.0)"),
            (RateLimiterConfiguration(permitsPerSecond: 2e9, burst: 1), "permitsPerSecond", "2000000000.0"),
            (RateLimiterConfiguration(permitsPerSecond: 1, burst: 0.5), "burst", "0.5"),
            (RateLimiterConfiguration(permitsPerSecond: 1, burst: .nan), "burst", "nan"),
            (RateLimiterConfiguration(permitsPerSecond: 1, burst: 2e9), "burst", "2000000000.0"),
            (RateLimiterConfiguration(permitsPerSecond: 1, maxWait: .milliseconds(-1)), "maxWait", "-1ms"),
        ])
    func tokenBucketRejects(configuration: RateLimiterConfiguration, key: String, value: String) {
        do {
            try configuration.validate()
            Issue.record("expected \(key) to be rejected")
        } catch {
            #expect(error.key == key)
            #expect(error.value == value)
            #expect(!error.allowed.isEmpty)
        }
    }

    @Test("token bucket: defaults and extremes in range are accepted; burst defaults to max(1, rate)")
    func tokenBucketAccepts() throws {
        try RateLimiterConfiguration(permitsPerSecond: 0.000000001).validate()
        try RateLimiterConfiguration(permitsPerSecond: 1_000_000_000).validate()
        try RateLimiterConfiguration(permitsPerSecond: 2.5, burst: 1_000_000_000, maxWait: .seconds(3_600)).validate()
        #expect(RateLimiterConfiguration(permitsPerSecond: 0.5).burst == 1)
        #expect(RateLimiterConfiguration(permitsPerSecond: 40).burst == 40)
        #expect(RateLimiterConfiguration(permitsPerSecond: 2.5).maxWait == .zero)
    }

    @Test("the extremes compute exactly: 10⁻⁹ per second is one permit every 10⁹ s; 10⁹ per second, one every nanosecond")
    func extremesAreExact() throws {
        var slow = try TokenBucketStateMachine(
            configuration: RateLimiterConfiguration(permitsPerSecond: 0.000000001))
        _ = try slow.acquire(now: .zero)
        let slowWait = try slow.acquire(now: .zero)
        #expect(slowWait == .rejected(retryAfter: .seconds(1_000_000_000)))
        var fast = try TokenBucketStateMachine(
            configuration: RateLimiterConfiguration(permitsPerSecond: 1_000_000_000, burst: 1))
        _ = try fast.acquire(now: .zero)
        let fastWait = try fast.acquire(now: .zero)
        #expect(fastWait == .rejected(retryAfter: .nanoseconds(1)))
        var fractional = try TokenBucketStateMachine(
            configuration: RateLimiterConfiguration(permitsPerSecond: 999_999.999999999, burst: 123_456.789012345))
        let big = try fractional.acquire(cost: 123_456, now: .zero)
        #expect(big == .admitted)
    }

    @Test("keyed: maxKeys in 1...10 000 000, and the bucket's keys checked the same way")
    func keyed() {
        #expect(throws: ConfigurationError(key: "maxKeys", value: "0", allowed: "1...10000000")) {
            try KeyedRateLimiterConfiguration(permitsPerSecond: 1, maxKeys: 0).validate()
        }
        #expect(throws: ConfigurationError.self) { try KeyedRateLimiterConfiguration(permitsPerSecond: 0).validate() }
        #expect(KeyedRateLimiterConfiguration(permitsPerSecond: 5).maxKeys == 10_000)
        #expect(KeyedRateLimiterConfiguration(permitsPerSecond: 5).burst == 5)
    }

    @Test("sliding window: limit, window and maxWait are checked")
    func slidingWindow() {
        #expect(throws: ConfigurationError(key: "limit", value: "0", allowed: "1...10000000")) {
            try SlidingWindowRateLimiterConfiguration(limit: 0, window: .seconds(1)).validate()
        }
        #expect(throws: ConfigurationError(key: "window", value: "0s", allowed: "> 0")) {
            try SlidingWindowRateLimiterConfiguration(limit: 1, window: .zero).validate()
        }
        #expect(throws: ConfigurationError(key: "maxWait", value: "-1s", allowed: ">= 0")) {
            try SlidingWindowRateLimiterConfiguration(limit: 1, window: .seconds(1), maxWait: .seconds(-1)).validate()
        }
    }
}
