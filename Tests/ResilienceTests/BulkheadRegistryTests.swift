import Testing
@testable import Resilience

@Suite("Bulkhead registry")
struct BulkheadRegistryTests {
    let resources: [String: BulkheadConfiguration] = [
        "llm": BulkheadConfiguration(maxConcurrent: 10, maxQueued: 20, maxWait: .seconds(5)),
        "openfga": BulkheadConfiguration(maxConcurrent: 50),
        "redis": BulkheadConfiguration(maxConcurrent: 100),
        "db": BulkheadConfiguration(maxConcurrent: 20, maxQueued: 40),
    ]

    @Test("one bulkhead per resource type, with its own limits and name")
    func perKey() throws {
        let registry = BulkheadRegistry<String, ManualClock>(
            name: "resources", overrides: resources, clock: ManualClock())
        let llm = try registry.bulkhead(for: "llm")
        #expect(try registry.bulkhead(for: "llm") === llm)
        #expect(llm.name == "resources.llm")
        #expect(llm.configuration == resources["llm"])
        #expect(try registry.bulkhead(for: "redis").configuration.maxConcurrent == 100)
        #expect(try registry.bulkhead(for: "other").configuration == BulkheadConfiguration())
        #expect(registry.count == 3)
        #expect(Set(registry.stats.keys) == ["llm", "redis", "other"])
    }

    @Test("updating a key's limits applies to its bulkhead at once, and to one created later")
    func update() throws {
        let registry = BulkheadRegistry<String, ManualClock>(
            name: "r", overrides: resources, clock: ManualClock())
        let db = try registry.bulkhead(for: "db")
        try registry.reconfigure(BulkheadConfiguration(maxConcurrent: 5), for: "db")
        #expect(db.stats.maxConcurrent == 5)
        try registry.reconfigure(BulkheadConfiguration(maxConcurrent: 7), for: "new")
        #expect(try registry.bulkhead(for: "new").configuration.maxConcurrent == 7)
        #expect(throws: ConfigurationError(key: "overrides[db].maxConcurrent", value: "0", allowed: "1...1000000")) {
            try registry.reconfigure(BulkheadConfiguration(maxConcurrent: 0), for: "db")
        }
        #expect(registry.configuration(for: "db").maxConcurrent == 5)
    }

    @Test("beyond maximumBulkheads a new key is refused; nothing is evicted")
    func bound() throws {
        let registry = BulkheadRegistry<Int, ManualClock>(name: "r", maximumBulkheads: 2, clock: ManualClock())
        let first = try registry.bulkhead(for: 1)
        _ = try registry.bulkhead(for: 2)
        #expect(throws: BulkheadRegistryError(registryName: "r", maximumBulkheads: 2, key: "3")) {
            try registry.bulkhead(for: 3)
        }
        #expect(try registry.bulkhead(for: 1) === first)
        #expect(registry.count == 2)
    }

    @Test("invalid configurations name the section and key")
    func invalid() {
        #expect(throws: ConfigurationError(key: "default.maxConcurrent", value: "0", allowed: "1...1000000")) {
            try BulkheadRegistry<String, ManualClock>.validate(defaultConfiguration: BulkheadConfiguration(maxConcurrent: 0))
        }
        #expect(throws: ConfigurationError(key: "overrides[llm].maxWait", value: "1s", allowed: "none when maxQueued is 0 (no call ever waits)")) {
            try BulkheadRegistry<String, ManualClock>.validate(overrides: ["llm": BulkheadConfiguration(maxWait: .seconds(1))])
        }
        #expect(throws: ConfigurationError(key: "maximumBulkheads", value: "0", allowed: ">= 1")) {
            try BulkheadRegistry<String, ManualClock>.validate(maximumBulkheads: 0)
        }
    }
}
