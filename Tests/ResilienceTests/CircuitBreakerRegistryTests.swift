import Testing
@testable import Resilience

@Suite("Circuit breaker registry")
struct CircuitBreakerRegistryTests {
    let tripFast = CircuitBreakerConfiguration(window: .count, windowSize: 1, minimumThroughput: 1)

    @Test("one breaker per key, with per-key overrides and names")
    func perKey() throws {
        let registry = CircuitBreakerRegistry<String, ManualClock>(
            name: "http", overrides: ["slow.example": tripFast], clock: ManualClock())
        let a = try registry.breaker(for: "a.example")
        #expect(try registry.breaker(for: "a.example") === a)
        #expect(a.name == "http.a.example")
        #expect(a.configuration == CircuitBreakerConfiguration())
        #expect(try registry.breaker(for: "slow.example").configuration == tripFast)
        #expect(registry.count == 2)
    }

    @Test("at the bound, the least recently used closed breaker is evicted; open ones never are")
    func eviction() async throws {
        let registry = CircuitBreakerRegistry<String, ManualClock>(
            name: "r", defaultConfiguration: tripFast, maximumBreakers: 3, clock: ManualClock())
        let a = try registry.breaker(for: "a")
        _ = try registry.breaker(for: "b")
        _ = try registry.breaker(for: "c")
        await a.fail()                                   // a is open
        _ = try registry.breaker(for: "b")               // b used more recently than c
        _ = try registry.breaker(for: "d")               // evicts c: the LRU closed one, not a
        #expect(Set(registry.states.keys) == ["a", "b", "d"])
        #expect(registry.states["a"] == .open)
        try registry.breaker(for: "b").forceOpen()
        try registry.breaker(for: "d").forceClosed()
        // Nothing closed is left to evict.
        #expect(throws: CircuitBreakerRegistryError.self) { try registry.breaker(for: "e") }
        registry.reset("d")
        _ = try registry.breaker(for: "e")               // d is plainly closed again and goes
        #expect(Set(registry.states.keys) == ["a", "b", "e"])
    }

    @Test("reset and snapshots")
    func resetAndSnapshot() async throws {
        let registry = CircuitBreakerRegistry<Int, ManualClock>(
            name: "r", defaultConfiguration: tripFast, clock: ManualClock())
        try await registry.breaker(for: 1).fail()
        #expect(registry.states == [1: .open])
        #expect(registry.stats[1]?.windowFailures == 1)
        registry.reset(1)
        #expect(registry.states == [1: .closed])
        try await registry.breaker(for: 2).fail()
        registry.resetAll()
        #expect(registry.states == [1: .closed, 2: .closed])
    }

    @Test("invalid configurations name the section and key")
    func invalid() {
        #expect(throws: ConfigurationError(key: "default.windowSize", value: "0", allowed: "1...10000000")) {
            try CircuitBreakerRegistry<String, ManualClock>.validate(defaultConfiguration: CircuitBreakerConfiguration(windowSize: 0))
        }
        #expect(throws: ConfigurationError(key: "overrides[x].breakDuration", value: "0s", allowed: "> 0")) {
            try CircuitBreakerRegistry<String, ManualClock>.validate(overrides: ["x": CircuitBreakerConfiguration(breakDuration: .zero)])
        }
        #expect(throws: ConfigurationError(key: "maximumBreakers", value: "0", allowed: ">= 1")) {
            try CircuitBreakerRegistry<String, ManualClock>.validate(maximumBreakers: 0)
        }
    }
}
