import Testing
@testable import Resilience

@Suite("Bulkhead configuration")
struct BulkheadConfigurationTests {
    @Test("defaults: 25 concurrent, no queue, no maxWait")
    func defaults() throws {
        let configuration = BulkheadConfiguration()
        #expect(configuration.maxConcurrent == 25)
        #expect(configuration.maxQueued == 0)
        #expect(configuration.maxWait == nil)
        try configuration.validate()
    }

    @Test("the bounds of every key are accepted")
    func bounds() throws {
        try BulkheadConfiguration(maxConcurrent: 1, maxQueued: 0).validate()
        try BulkheadConfiguration(maxConcurrent: 1_000_000, maxQueued: 1_000_000, maxWait: .seconds(86_400)).validate()
        try BulkheadConfiguration(maxConcurrent: 1, maxQueued: 1, maxWait: .nanoseconds(1)).validate()
    }

    @Test(
        "out-of-range values are refused with key, value and allowed range",
        arguments: [
            (BulkheadConfiguration(maxConcurrent: 0), ConfigurationError(key: "maxConcurrent", value: "0", allowed: "1...1000000")),
            (BulkheadConfiguration(maxConcurrent: 1_000_001), ConfigurationError(key: "maxConcurrent", value: "1000001", allowed: "1...1000000")),
            (BulkheadConfiguration(maxQueued: -1), ConfigurationError(key: "maxQueued", value: "-1", allowed: "0...1000000")),
            (BulkheadConfiguration(maxQueued: Int.max), ConfigurationError(key: "maxQueued", value: "\(Int.max)", allowed: "0...1000000")),
            (BulkheadConfiguration(maxQueued: 1, maxWait: .zero), ConfigurationError(key: "maxWait", value: "0s", allowed: "(0, 24h], or none")),
            (BulkheadConfiguration(maxQueued: 1, maxWait: .seconds(-1)), ConfigurationError(key: "maxWait", value: "-1s", allowed: "(0, 24h], or none")),
            (BulkheadConfiguration(maxQueued: 1, maxWait: .seconds(86_401)), ConfigurationError(key: "maxWait", value: "86401s", allowed: "(0, 24h], or none")),
            (BulkheadConfiguration(maxWait: .seconds(1)), ConfigurationError(key: "maxWait", value: "1s", allowed: "none when maxQueued is 0 (no call ever waits)")),
        ])
    func invalid(configuration: BulkheadConfiguration, expected: ConfigurationError) {
        #expect(throws: expected) { try configuration.validate() }
    }
}
