import Testing
@testable import Resilience

@Suite("Adaptive timeout configuration")
struct AdaptiveTimeoutConfigurationTests {
    @Test("the documented defaults are valid")
    func defaults() throws {
        let configuration = AdaptiveTimeoutConfiguration()
        #expect(configuration == AdaptiveTimeoutConfiguration(
            percentile: 0.99, multiplier: 1.5, minimum: .milliseconds(50), maximum: .seconds(30),
            baseTimeout: .seconds(30), warmupCalls: 100, windowSize: 1_000, maxKeys: 10_000))
        try configuration.validate()
    }

    static let places = "with at most 9 decimal places"

    @Test("every key out of range is named with its value and the allowed range", arguments: [
        (AdaptiveTimeoutConfiguration(percentile: 0), ConfigurationError(key: "percentile", value: "0.0", allowed: "(0, 1], \(places)")),
        (AdaptiveTimeoutConfiguration(percentile: 1.01), ConfigurationError(key: "percentile", value: "1.01", allowed: "(0, 1], \(places)")),
        (AdaptiveTimeoutConfiguration(percentile: -0.5), ConfigurationError(key: "percentile", value: "-0.5", allowed: "(0, 1], \(places)")),
        (AdaptiveTimeoutConfiguration(percentile: 0.0000000001), ConfigurationError(key: "percentile", value: "1e-10", allowed: "(0, 1], \(places)")),
        (AdaptiveTimeoutConfiguration(percentile: .nan), ConfigurationError(key: "percentile", value: "nan", allowed: "(0, 1], \(places)")),
        (AdaptiveTimeoutConfiguration(multiplier: 0.99), ConfigurationError(key: "multiplier", value: "0.99", allowed: ">= 1, \(places)")),
        (AdaptiveTimeoutConfiguration(multiplier: 1.0000000001), ConfigurationError(key: "multiplier", value: "1.0000000001", allowed: ">= 1, \(places)")),
        (AdaptiveTimeoutConfiguration(multiplier: .infinity), ConfigurationError(key: "multiplier", value: "inf", allowed: ">= 1, \(places)")),
        (AdaptiveTimeoutConfiguration(minimum: .zero), ConfigurationError(key: "minimum", value: "0s", allowed: "> 0")),
        (AdaptiveTimeoutConfiguration(minimum: .milliseconds(-5)), ConfigurationError(key: "minimum", value: "-5ms", allowed: "> 0")),
        (AdaptiveTimeoutConfiguration(maximum: .milliseconds(49)), ConfigurationError(key: "maximum", value: "49ms", allowed: ">= minimum (50ms)")),
        (AdaptiveTimeoutConfiguration(baseTimeout: .zero), ConfigurationError(key: "baseTimeout", value: "0s", allowed: "> 0")),
        (AdaptiveTimeoutConfiguration(windowSize: 0), ConfigurationError(key: "windowSize", value: "0", allowed: "1...1000000")),
        (AdaptiveTimeoutConfiguration(windowSize: 1_000_001), ConfigurationError(key: "windowSize", value: "1000001", allowed: "1...1000000")),
        (AdaptiveTimeoutConfiguration(warmupCalls: 0), ConfigurationError(key: "warmupCalls", value: "0", allowed: "1...windowSize (1000)")),
        (AdaptiveTimeoutConfiguration(warmupCalls: 101, windowSize: 100), ConfigurationError(key: "warmupCalls", value: "101", allowed: "1...windowSize (100)")),
        (AdaptiveTimeoutConfiguration(maxKeys: 0), ConfigurationError(key: "maxKeys", value: "0", allowed: ">= 1")),
    ])
    func invalid(configuration: AdaptiveTimeoutConfiguration, error: ConfigurationError) {
        #expect(throws: error) { try configuration.validate() }
        #expect(throws: error) { try AdaptiveTimeoutStateMachine(configuration: configuration) }
    }

    @Test("the edges of each range are accepted as written, nothing clamped")
    func edges() throws {
        let configuration = AdaptiveTimeoutConfiguration(
            percentile: 1, multiplier: 1, minimum: .nanoseconds(1), maximum: .nanoseconds(1),
            baseTimeout: .nanoseconds(1), warmupCalls: 1_000_000, windowSize: 1_000_000, maxKeys: 1)
        try configuration.validate()
        #expect(try AdaptiveTimeout(configuration: configuration).configuration == configuration)
        try AdaptiveTimeoutConfiguration(percentile: 0.000000001, multiplier: 1.000000001, warmupCalls: 1).validate()
    }
}
