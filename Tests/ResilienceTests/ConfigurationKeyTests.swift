import Testing
@testable import Resilience

/// The key descriptions every reader, writer and document is derived from.
@Suite("Configuration keys")
struct ConfigurationKeyTests {
    /// Every value of a configuration, by key path (`aimd.timeout`), as the keys read it.
    static func values<Section: ConfigurationSection>(_ configuration: Section) -> [String: ConfigurationValue] {
        var values: [String: ConfigurationValue] = [:]
        func visit(_ keys: [ConfigurationKey<Section>], prefix: String) {
            for key in keys {
                guard let value = key.value(configuration) else { continue }
                values[prefix + key.name] = value
                visit(key.keys, prefix: prefix + key.name + ".")
            }
        }
        visit(Section.keys, prefix: "")
        return values
    }

    /// Applies `values` (as ``values(_:)`` gives them) to the defaults, parents before their keys.
    static func applied<Section: ConfigurationSection>(_ values: [String: ConfigurationValue]) throws -> Section {
        var configuration = Section.defaults
        func visit(_ keys: [ConfigurationKey<Section>], prefix: String) throws {
            for key in keys {
                guard let value = values[prefix + key.name] else { continue }
                try key.apply(&configuration, value)
                try visit(key.keys, prefix: prefix + key.name + ".")
            }
        }
        try visit(Section.keys, prefix: "")
        return configuration
    }

    @Test("every key of every section reads back what it wrote, for a configuration far from the defaults")
    func roundTrip() throws {
        let breaker = CircuitBreakerConfiguration(
            window: .count, samplingDuration: .seconds(7), windowBuckets: 7, windowSize: 33, minimumThroughput: 4,
            failureRatio: 0.3, slowCallDuration: .milliseconds(250), slowCallRatio: 0.7, breakDuration: .seconds(3),
            breakDurationMultiplier: 1.5, maxBreakDuration: .seconds(90), halfOpenPermittedCalls: 3,
            halfOpenSuccessRatio: 1, halfOpenMaxDuration: nil)
        #expect(try Self.applied(Self.values(breaker)) == breaker)
        let retry = RetryConfiguration(
            maxAttempts: 5, backoff: .linear, baseDelay: .milliseconds(10), multiplier: 3, maxDelay: .seconds(2),
            jitter: .decorrelated, budgetRatio: 0.5, budgetMinPerSecond: 2, budgetWindow: .seconds(30))
        #expect(try Self.applied(Self.values(retry)) == retry)
        #expect(try Self.applied(Self.values(TimeoutConfiguration(duration: .milliseconds(1_500)))) == TimeoutConfiguration(duration: .milliseconds(1_500)))
        let bulkhead = BulkheadConfiguration(maxConcurrent: 3, maxQueued: 9, maxWait: .seconds(2))
        #expect(try Self.applied(Self.values(bulkhead)) == bulkhead)
        let limiter = KeyedRateLimiterConfiguration(permitsPerSecond: 2.5, burst: 7, maxWait: .milliseconds(20), maxKeys: 50)
        #expect(try Self.applied(Self.values(limiter)) == limiter)
        let shedder = LoadShedderConfiguration(
            inFlight: LoadShedThresholds(low: 10, normal: 20, high: nil), queueDepth: nil, retryAfter: nil)
        #expect(try Self.applied(Self.values(shedder)) == shedder)
        for algorithm in [
            ConcurrencyLimitConfiguration.Algorithm.aimd(.init(backoffRatio: 0.75, timeout: .milliseconds(300))),
            .gradient2(.init(smoothing: 0.5, rttTolerance: 1.5, queueSize: 8, probeMultiplier: 10)),
            .vegas(.init(smoothing: 0.5, alphaFactor: 2, betaFactor: 5, probeMultiplier: 12)),
        ] {
            let limit = ConcurrencyLimitConfiguration(
                algorithm: algorithm, initialLimit: 9, minLimit: 2, maxLimit: 90, maxQueued: 4, maxWait: .seconds(1))
            #expect(try Self.applied(Self.values(limit)) == limit)
        }
    }

    @Test("a rate limiter's burst follows its rate unless given; the rate is required")
    func requiredRate() throws {
        let rate = try #require(KeyedRateLimiterConfiguration.keys.first)
        #expect(rate.name == "permitsPerSecond" && rate.requiredBecause == "a rate limiter has no default rate")
        var configuration = KeyedRateLimiterConfiguration.defaults
        try rate.apply(&configuration, .number(40))
        #expect(configuration.burst == 40)
    }

    @Test("an algorithm's parameters are refused unless that algorithm is in use")
    func otherAlgorithmsParameters() throws {
        var configuration = ConcurrencyLimitConfiguration(algorithm: .vegas())
        let aimd = try #require(ConcurrencyLimitConfiguration.keys.first { $0.name == "aimd" })
        #expect(throws: ConfigurationError(key: "aimd", value: "parameters", allowed: #"only when algorithm is "aimd" (it is "vegas")"#)) {
            try aimd.apply(&configuration, .object)
        }
    }

    @Test("validationErrors lists every bad key with its value and range, in validation order")
    func everyError() {
        let breaker = CircuitBreakerConfiguration(
            windowSize: 0, minimumThroughput: 0, failureRatio: 2, breakDuration: .zero, halfOpenPermittedCalls: 0)
        #expect(breaker.validationErrors().map(\.description) == [
            "windowSize: 0 is not allowed; allowed: 1...10000000",
            "minimumThroughput: 0 is not allowed; allowed: >= 1",
            "failureRatio: 2.0 is not allowed; allowed: (0, 1] with at most 9 decimal places",
            "breakDuration: 0s is not allowed; allowed: > 0",
            "halfOpenPermittedCalls: 0 is not allowed; allowed: >= 1",
        ])
        let limit = ConcurrencyLimitConfiguration(
            algorithm: .vegas(.init(smoothing: 0, alphaFactor: 0)), maxQueued: -1)
        #expect(limit.validationErrors().map(\.key) == ["maxQueued", "vegas.smoothing", "vegas.alphaFactor"])
        #expect(CircuitBreakerConfiguration().validationErrors().isEmpty)
    }
}
