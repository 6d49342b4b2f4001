import Testing
@testable import Resilience

/// Run these under ThreadSanitizer too: `swift test --sanitize=thread --filter Bulkhead`.
@Suite("Bulkhead under concurrency")
struct BulkheadConcurrencyTests {
    @Test(
        "10,000 tasks through 8 slots, with random cancellations: never more than 8 in flight, nothing leaked",
        arguments: [nil, Duration.seconds(3_600)])
    func tenThousandTasks(maxWait: Duration?) async throws {
        let total = 10_000
        let slots = 8
        let bulkhead = Bulkhead(
            name: "test",
            configuration: BulkheadConfiguration(maxConcurrent: slots, maxQueued: total, maxWait: maxWait),
            clock: ContinuousClock(), metricsFactory: TestMetrics())
        let gate = Gate()
        let running = SharedCounter()
        let maxRunning = SharedCounter()
        let started = BulkheadTestBox<Set<Int>>([])
        var random = BulkheadTestRandom(seed: 2026)

        let tasks = (0..<total).map { index in
            Task {
                try await bulkhead.execute {
                    maxRunning.raise(to: running.increment())
                    started.withLock { _ = $0.insert(index) }
                    await gate.wait()
                    await Task.yield()
                    running.decrement()
                    try Task.checkCancellation()  // a call cancelled while running throws, and still releases
                    return index
                }
            }
        }
        // Everyone has arrived: 8 run (held at the gate), the rest wait in the queue.
        await eventually { bulkhead.inFlight == slots && bulkhead.queued == total - slots }

        // Cancel about a quarter while they wait (or, for the 8, while they run): each queued one
        // leaves the queue at once.
        let cancelledEarly = Set((0..<total).filter { _ in random.next() % 4 == 0 })
        for index in cancelledEarly { tasks[index].cancel() }
        let runningCancelled = started.withLock { $0.intersection(cancelledEarly).count }
        let cancelledWaiting = cancelledEarly.count - runningCancelled
        await eventually { bulkhead.queued == total - slots - cancelledWaiting }
        #expect(bulkhead.stats.cancelledWaiters == cancelledWaiting)
        #expect(bulkhead.inFlight == slots)

        // Let them run, cancelling others as they go: these cancellations race with hand-overs.
        gate.open()
        for index in 0..<total where !cancelledEarly.contains(index) && random.next() % 10 == 0 {
            tasks[index].cancel()
            if index % 64 == 0 { await Task.yield() }
        }

        var succeeded = 0
        var cancelled = 0
        for task in tasks {
            do {
                _ = try await task.value
                succeeded += 1
            } catch is CancellationError {
                cancelled += 1
            }
        }
        #expect(succeeded + cancelled == total)
        #expect(succeeded > 0)
        #expect(maxRunning.value == slots)          // reached, never exceeded
        #expect(running.value == 0)
        let stats = bulkhead.stats
        #expect(stats.inFlight == 0)
        #expect(stats.queued == 0)
        #expect(stats.rejectedCalls == 0)
        #expect(stats.expiredWaiters == 0)
        #expect(stats.admittedCalls >= started.withLock { $0.count })
        #expect(stats.admittedCalls == slots + stats.admittedAfterWaiting)
        #expect(stats.queuedCalls == stats.admittedAfterWaiting + stats.cancelledWaiters)
        // A call admitted from the queue either ran or, cancelled just as it got its slot, gave the
        // slot back without running.
        #expect(stats.admittedCalls - started.withLock { $0.count } <= cancelled)
    }

    @Test("a registry shared by many tasks: one bulkhead per key, each key's bound holds while it changes")
    func registry() async throws {
        let limits = ["llm": 1, "openfga": 2, "redis": 3, "db": 4]
        let registry = BulkheadRegistry<String, ContinuousClock>(
            name: "r", overrides: limits.mapValues { BulkheadConfiguration(maxConcurrent: $0, maxQueued: 10_000) },
            clock: ContinuousClock(), metricsFactory: TestMetrics())
        let keys = limits.keys.sorted()
        let running = Dictionary(uniqueKeysWithValues: keys.map { ($0, SharedCounter()) })
        let maxRunning = Dictionary(uniqueKeysWithValues: keys.map { ($0, SharedCounter()) })
        let instances = BulkheadTestBox<[String: Set<ObjectIdentifier>]>([:])

        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<4_000 {
                let key = keys[index % keys.count]
                group.addTask {
                    let bulkhead = try registry.bulkhead(for: key)
                    instances.withLock { _ = $0[key, default: []].insert(ObjectIdentifier(bulkhead)) }
                    try await bulkhead.execute {
                        maxRunning[key]!.raise(to: running[key]!.increment())
                        await Task.yield()
                        running[key]!.decrement()
                    }
                }
            }
            // `db` flips between 4 and 2 slots while the calls run; growth admits waiters at once.
            group.addTask {
                for step in 0..<200 {
                    try registry.reconfigure(
                        BulkheadConfiguration(maxConcurrent: step % 2 == 0 ? 2 : 4, maxQueued: 10_000), for: "db")
                    await Task.yield()
                }
            }
            try await group.waitForAll()
        }

        #expect(registry.count == 4)
        for key in keys {
            #expect(instances.withLock { $0[key]?.count } == 1, "\(key)")
            #expect(maxRunning[key]!.value <= limits[key]!, "\(key)")
            #expect(maxRunning[key]!.value >= 1, "\(key)")
            let stats = try #require(registry.stats[key])
            #expect(stats.inFlight == 0, "\(key)")
            #expect(stats.queued == 0, "\(key)")
            #expect(stats.admittedCalls == 1_000, "\(key)")
        }
    }
}
