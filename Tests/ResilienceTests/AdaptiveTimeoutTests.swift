import Testing
@testable import Resilience

@Suite("Adaptive timeout")
struct AdaptiveTimeoutTests {
    /// Adapts from the 10th latency of a window of 10.
    static let quick = AdaptiveTimeoutConfiguration(warmupCalls: 10, windowSize: 10)

    func record(_ latency: Duration, times: Int = 10, for key: String, in timeouts: AdaptiveTimeout) {
        for _ in 0..<times { timeouts.record(latency, for: key) }
    }

    @Test("an unknown key gets baseTimeout and no percentile, and asking creates nothing")
    func unknownKey() throws {
        let timeouts = AdaptiveTimeout(configuration: Self.quick)
        #expect(timeouts.timeout(for: "a") == .seconds(30))
        #expect(timeouts.percentile(0.99, for: "a") == nil)
        #expect(timeouts.stats(for: "a") == nil)
        #expect(timeouts.keyCount == 0)
    }

    @Test("each key adapts to its own latencies, after its own warm-up")
    func perKey() throws {
        let timeouts = AdaptiveTimeout(configuration: Self.quick)
        record(.milliseconds(100), for: "fast", in: timeouts)
        record(.seconds(1), times: 9, for: "slow", in: timeouts)
        #expect(timeouts.timeout(for: "fast") == .nanoseconds(150_208_512))    // 100.139008 ms × 1.5
        #expect(timeouts.timeout(for: "slow") == .seconds(30))                 // 9 of 10: warming up
        #expect(timeouts.percentile(0.5, for: "slow") == nil)
        timeouts.record(.seconds(1), for: "slow")
        #expect(timeouts.timeout(for: "slow") == .nanoseconds(1_503_657_984))  // 1.002438656 s × 1.5
        #expect(timeouts.percentile(0.5, for: "slow") == .nanoseconds(1_002_438_656))
        #expect(timeouts.stats(for: "fast")?.recordedCalls == 10)
        #expect(timeouts.keyCount == 2)
    }

    @Test("a percentile of 1 h or more is reported as 1 h")
    func overflowPercentile() throws {
        let timeouts = AdaptiveTimeout(configuration: Self.quick)
        record(.seconds(5_000), for: "k", in: timeouts)
        #expect(timeouts.percentile(0.5, for: "k") == .seconds(3_600))
        #expect(timeouts.timeout(for: "k") == .seconds(30))
    }

    @Test("at maxKeys, a new key evicts the least recently used one, counted in a stat and a metric")
    func eviction() throws {
        let metrics = TestMetrics()
        var configuration = Self.quick
        configuration.maxKeys = 3
        let timeouts = AdaptiveTimeout(name: "partners", configuration: configuration, metricsFactory: metrics)
        record(.milliseconds(100), for: "a", in: timeouts)
        record(.milliseconds(100), for: "b", in: timeouts)
        record(.milliseconds(100), for: "c", in: timeouts)
        #expect(timeouts.keysByRecency == ["c", "b", "a"])
        _ = timeouts.timeout(for: "a")                    // a use: a is now the most recent
        _ = timeouts.stats(for: "b")                      // not a use
        #expect(timeouts.keysByRecency == ["a", "c", "b"])
        timeouts.record(.milliseconds(5), for: "d")       // evicts b
        #expect(timeouts.keysByRecency == ["d", "a", "c"])
        #expect(timeouts.evictedKeys == 1)
        #expect(metrics.counter("resilience_adaptive_timeout_evicted_keys_total", [("policy", "partners")]) == 1)
        #expect(timeouts.stats(for: "b") == nil)
        #expect(timeouts.timeout(for: "b") == .seconds(30))   // forgotten: baseTimeout again
        _ = timeouts.percentile(0.5, for: "c")            // a use
        timeouts.record(.milliseconds(5), for: "b")       // comes back, warming up again; evicts a
        #expect(timeouts.keysByRecency == ["b", "c", "d"])
        #expect(timeouts.stats(for: "b")?.recordedCalls == 1)
        #expect(timeouts.stats(for: "c")?.recordedCalls == 10)
        #expect(timeouts.evictedKeys == 2)
        #expect(metrics.counter("resilience_adaptive_timeout_evicted_keys_total", [("policy", "partners")]) == 2)
        #expect(timeouts.keyCount == 3)
    }

    @Test("an endpoint looks its key up once: same timeouts and percentiles, and it counts as a use")
    func endpoint() throws {
        var configuration = Self.quick
        configuration.maxKeys = 2
        let timeouts = AdaptiveTimeout(configuration: configuration)
        let a = timeouts.endpoint("a")                    // created, warming up
        #expect(timeouts.keyCount == 1)
        #expect(a.timeout() == .seconds(30))
        #expect(a.percentile(0.5) == nil)
        for _ in 0..<10 { a.record(.milliseconds(100)) }
        #expect(a.timeout() == .nanoseconds(150_208_512))
        #expect(timeouts.timeout(for: "a") == .nanoseconds(150_208_512))
        #expect(a.percentile(0.99) == .nanoseconds(100_139_008))
        timeouts.record(.milliseconds(1), for: "b")
        _ = timeouts.endpoint("a")                        // a use: b is now the least recent
        timeouts.record(.milliseconds(1), for: "c")
        #expect(timeouts.keysByRecency == ["c", "a"])
        // Held across its key's eviction, an endpoint keeps working, detached: what it records is forgotten.
        let c = timeouts.endpoint("c")
        timeouts.record(.milliseconds(1), for: "d")       // evicts a
        timeouts.record(.milliseconds(1), for: "e")       // evicts c
        c.record(.milliseconds(1))
        #expect(timeouts.stats(for: "c") == nil)
        #expect(timeouts.evictedKeys == 3)
    }

    @Test("a table of one key replaces it on every new key")
    func singleKey() throws {
        var configuration = Self.quick
        configuration.maxKeys = 1
        let timeouts = AdaptiveTimeout(configuration: configuration)
        for key in ["a", "b", "a", "a", "c"] { timeouts.record(.milliseconds(1), for: key) }
        #expect(timeouts.keysByRecency == ["c"])
        #expect(timeouts.evictedKeys == 3)
    }

    @Test("8 tasks recording and asking across keys: every latency is counted, nothing races")
    func concurrency() async throws {
        let timeouts = AdaptiveTimeout(configuration: AdaptiveTimeoutConfiguration(warmupCalls: 50, windowSize: 100))
        let keys = (0..<16).map { "endpoint-\($0)" }
        let perTask = 4_000
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<perTask {
                        let key = keys[(task + index) % keys.count]
                        let timeout = timeouts.timeout(for: key)
                        timeouts.record(.microseconds(Int64(1_000 + (index * 37) % 5_000)), for: key)
                        if index % 64 == 0 { _ = timeouts.percentile(0.95, for: key) }
                        if index % 256 == 0 { _ = timeouts.stats(for: key) }
                        precondition(timeout > .zero)
                    }
                }
            }
        }
        var total = 0
        for key in keys {
            let stats = try #require(timeouts.stats(for: key))
            total += stats.recordedCalls
            #expect(stats.windowCalls == 100)
            #expect(!stats.isWarmingUp)
            // Latencies 1 ms ... 6 ms: p99 × 1.5 is under the 50 ms minimum.
            #expect(stats.timeout == .milliseconds(50))
        }
        #expect(total == 8 * perTask)
        #expect(timeouts.evictedKeys == 0)
    }

    @Test("8 tasks churning through more keys than maxKeys: the bound holds and evictions are counted")
    func concurrentEviction() async throws {
        var configuration = Self.quick
        configuration.maxKeys = 8
        let timeouts = AdaptiveTimeout(configuration: configuration)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<2_000 {
                        let key = "k\((task * 7 + index) % 40)"
                        _ = timeouts.timeout(for: key)
                        timeouts.record(.milliseconds(2), for: key)
                    }
                }
            }
        }
        #expect(timeouts.keyCount == 8)
        #expect(Set(timeouts.keysByRecency).count == 8)
        #expect(timeouts.evictedKeys >= 32)               // 40 keys were held at some point, 8 remain
    }
}

@Suite("Adaptive timeout key table (least recently used)")
struct AdaptiveTimeoutKeyTableTests {
    @Test("use, insert and evict keep the recency order")
    func order() {
        var table = LeastRecentlyUsedTable<String, Int>(capacity: 3)
        for (index, key) in ["a", "b", "c"].enumerated() {
            let inserted = table.use(key, insertingIfAbsent: index)
            #expect(inserted.evicted == nil)
        }
        #expect(table.keysByRecency == ["c", "b", "a"])
        #expect(table.use("a") == 0)                      // the oldest becomes the newest
        #expect(table.use("b") == 1)                      // a middle one
        #expect(table.use("b") == 1)                      // the newest stays
        #expect(table.keysByRecency == ["b", "a", "c"])
        let existing = table.use("a", insertingIfAbsent: 99)
        #expect(existing.value == 0)                      // already there: kept, not replaced
        #expect(existing.evicted == nil)
        let d = table.use("d", insertingIfAbsent: 3)
        #expect(d.evicted == "c")
        #expect(table.keysByRecency == ["d", "a", "b"])
        #expect(table.peek("b") == 1)                     // peek does not reorder
        #expect(table.keysByRecency == ["d", "a", "b"])
        #expect(table.use("c") == nil)
        #expect(table.count == 3)
        #expect(table.evictions == 1)
    }

    @Test("agrees with a naive recency list over random operations", arguments: 0..<50)
    func model(seed: Int) {
        var random = SeededGenerator(state: UInt64(seed))
        let capacity = Int.random(in: 1...6, using: &random)
        var table = LeastRecentlyUsedTable<Int, Int>(capacity: capacity)
        var model: [(key: Int, value: Int)] = []          // most recent first
        var evictions = 0
        for step in 0..<500 {
            let key = Int.random(in: 0..<10, using: &random)
            if Bool.random(using: &random) {
                let got = table.use(key)
                if let index = model.firstIndex(where: { $0.key == key }) {
                    let entry = model.remove(at: index)
                    model.insert(entry, at: 0)
                    #expect(got == entry.value, "seed \(seed) step \(step)")
                } else {
                    #expect(got == nil, "seed \(seed) step \(step)")
                }
            } else {
                let result = table.use(key, insertingIfAbsent: step)
                if let index = model.firstIndex(where: { $0.key == key }) {
                    let entry = model.remove(at: index)
                    model.insert(entry, at: 0)
                    #expect(result.value == entry.value && result.evicted == nil, "seed \(seed) step \(step)")
                } else {
                    var evicted: Int? = nil
                    if model.count == capacity { evicted = model.removeLast().key; evictions += 1 }
                    model.insert((key, step), at: 0)
                    #expect(result.value == step && result.evicted == evicted, "seed \(seed) step \(step)")
                }
            }
            #expect(table.keysByRecency == model.map(\.key), "seed \(seed) step \(step)")
        }
        #expect(table.evictions == evictions)
    }
}
