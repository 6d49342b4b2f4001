import Testing
@testable import Resilience

@Suite("Fallback cache state machine")
struct FallbackCacheStateMachineTests {
    typealias Machine = FallbackCacheStateMachine<String, Int>

    static func at(_ duration: Duration) -> ClockOffset { ClockOffset(duration) }

    /// The lookup as text, so expectations compare plain values.
    static func describe(_ lookup: Machine.Lookup) -> String {
        switch lookup {
        case .fresh(let value, let age): "fresh \(value) \(DurationText.format(age))"
        case .stale(let value, let age): "stale \(value) \(DurationText.format(age))"
        case .missing: "missing"
        }
    }

    @Test("age < timeToLive is fresh; age == timeToLive is expired, and without stale serving it is dropped")
    func timeToLiveBoundary() {
        var machine = Machine(timeToLive: .seconds(10), maximumAge: .seconds(10), capacity: 4)
        machine.store(7, for: "a", now: Self.at(.seconds(5)))
        let justBefore = machine.lookup("a", now: Self.at(.seconds(15) - .nanoseconds(1)))
        #expect(Self.describe(justBefore) == "fresh 7 9999999.999us")
        let atBoundary = machine.lookup("a", now: Self.at(.seconds(15)))
        #expect(Self.describe(atBoundary) == "missing")
        #expect(machine.count == 0)
        let afterDrop = machine.lookup("a", now: Self.at(.seconds(15)))
        #expect(Self.describe(afterDrop) == "missing")
    }

    @Test("expired values are stale until maximumAge (exclusive), then dropped; nil serves any age")
    func staleWindow() {
        var machine = Machine(timeToLive: .seconds(10), maximumAge: .seconds(60), capacity: 4)
        machine.store(1, for: "a", now: Self.at(.zero))
        let fresh = machine.lookup("a", now: Self.at(.milliseconds(9_999)))
        #expect(Self.describe(fresh) == "fresh 1 9.999s")
        let expired = machine.lookup("a", now: Self.at(.seconds(10)))
        #expect(Self.describe(expired) == "stale 1 10s")
        let lastStale = machine.lookup("a", now: Self.at(.seconds(60) - .nanoseconds(1)))
        #expect(Self.describe(lastStale) == "stale 1 59999999.999us")
        let tooOld = machine.lookup("a", now: Self.at(.seconds(60)))
        #expect(Self.describe(tooOld) == "missing")
        #expect(machine.count == 0)

        var unlimited = Machine(timeToLive: .seconds(10), maximumAge: nil, capacity: 4)
        unlimited.store(2, for: "a", now: Self.at(.zero))
        let dayOld = unlimited.lookup("a", now: Self.at(.seconds(86_400)))
        #expect(Self.describe(dayOld) == "stale 2 24h")
    }

    @Test("a new store replaces the value and restarts its age; keys are independent")
    func replaceAndKeys() {
        var machine = Machine(timeToLive: .seconds(10), maximumAge: nil, capacity: 4)
        machine.store(1, for: "a", now: Self.at(.zero))
        machine.store(2, for: "a", now: Self.at(.seconds(5)))
        machine.store(3, for: "b", now: Self.at(.seconds(1)))
        let a = machine.lookup("a", now: Self.at(.seconds(12)))
        let b = machine.lookup("b", now: Self.at(.seconds(12)))
        let c = machine.lookup("c", now: Self.at(.seconds(12)))
        #expect(Self.describe(a) == "fresh 2 7s")
        #expect(Self.describe(b) == "stale 3 11s")
        #expect(Self.describe(c) == "missing")
    }

    @Test("when full, a new key evicts the key stored longest ago; replacing a key evicts nothing")
    func eviction() {
        var machine = Machine(timeToLive: .seconds(10), maximumAge: nil, capacity: 3)
        #expect(machine.store(1, for: "a", now: Self.at(.seconds(0))) == nil)
        #expect(machine.store(2, for: "b", now: Self.at(.seconds(1))) == nil)
        #expect(machine.store(3, for: "c", now: Self.at(.seconds(2))) == nil)
        #expect(machine.store(4, for: "a", now: Self.at(.seconds(3))) == nil)   // "a" is now the newest
        #expect(machine.store(5, for: "d", now: Self.at(.seconds(4))) == "b")
        #expect(machine.store(6, for: "e", now: Self.at(.seconds(5))) == "c")
        #expect(machine.store(7, for: "f", now: Self.at(.seconds(6))) == "a")
        #expect(machine.count == 3)
        #expect(Set(machine.entries.keys) == ["d", "e", "f"])
    }

    @Test("storing one key again touches no queue; two keys in turn keep it at a few places, not reallocated")
    func boundedQueue() {
        var single = Machine(timeToLive: .seconds(10), maximumAge: nil, capacity: 1_000)
        for step in 0..<1_000 {
            single.store(step, for: "a", now: Self.at(.milliseconds(step)))
        }
        #expect(single.storeOrder.count == 1)
        let lastOfOne = single.lookup("a", now: Self.at(.milliseconds(999)))
        #expect(Self.describe(lastOfOne) == "fresh 999 0s")

        var machine = Machine(timeToLive: .seconds(10), maximumAge: nil, capacity: 1_000)
        for step in 0..<100 {
            machine.store(step, for: step % 2 == 0 ? "a" : "b", now: Self.at(.milliseconds(step)))
        }
        let capacityAfterWarmUp = machine.storeOrder.capacity
        for step in 100..<10_000 {
            machine.store(step, for: step % 2 == 0 ? "a" : "b", now: Self.at(.milliseconds(step)))
            #expect(machine.storeOrder.count <= 2 * 2 + Machine.compactionSlack)
        }
        #expect(machine.storeOrder.capacity == capacityAfterWarmUp)
        #expect(capacityAfterWarmUp < 64)                        // follows the two keys, not the 1000 allowed
        let a = machine.lookup("a", now: Self.at(.milliseconds(9_999)))
        let b = machine.lookup("b", now: Self.at(.milliseconds(9_999)))
        #expect(Self.describe(a) == "fresh 9998 1ms")
        #expect(Self.describe(b) == "fresh 9999 0s")
    }

    @Test("evictions and lookups match a naive model over 20 000 random operations")
    func matchesNaiveModel() {
        var random = SeededGenerator(state: 42)
        var machine = Machine(timeToLive: .seconds(10), maximumAge: .seconds(30), capacity: 5)
        // The naive model: every key with its value, store instant and store counter; evict the smallest
        // counter; drop on lookup when age ≥ 30 s.
        var model: [String: (value: Int, storedAt: Duration, counter: Int)] = [:]
        var counter = 0
        var now = Duration.zero
        for step in 0..<20_000 {
            now += .milliseconds(Int.random(in: 0...500, using: &random))
            let key = "k\(Int.random(in: 0..<9, using: &random))"
            if Bool.random(using: &random) {
                counter += 1
                var expectedEviction: String?
                if model[key] == nil && model.count == 5 {
                    expectedEviction = model.min { $0.value.counter < $1.value.counter }?.key
                    model[expectedEviction!] = nil
                }
                model[key] = (step, now, counter)
                let evicted = machine.store(step, for: key, now: Self.at(now))
                #expect(evicted == expectedEviction, "step \(step)")
            } else {
                var expected = "missing"
                if let entry = model[key] {
                    let age = now - entry.storedAt
                    if age < .seconds(10) {
                        expected = "fresh \(entry.value) \(DurationText.format(age))"
                    } else if age < .seconds(30) {
                        expected = "stale \(entry.value) \(DurationText.format(age))"
                    } else {
                        model[key] = nil
                    }
                }
                let found = machine.lookup(key, now: Self.at(now))
                #expect(Self.describe(found) == expected, "step \(step)")
            }
            #expect(machine.count == model.count)
        }
    }
}
