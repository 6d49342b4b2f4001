import Testing
@testable import Resilience

@Suite("Load shedder under concurrency")
struct LoadShedConcurrencyTests {
    @Test("many tasks of mixed priorities with random cancellations: exact counts, limits held, 0 in flight at the end")
    func mixed() async throws {
        let cpu = PressureGauge(name: "cpu")
        let shedder = LoadShedder(
            name: "c",
            configuration: LoadShedderConfiguration(
                inFlight: LoadShedThresholds(low: 4, normal: 8, high: 12),
                pressure: ["cpu": LoadShedThresholds(low: 0.5, normal: 0.8, high: 0.95)]),
            pressure: [cpu], clock: ManualClock())
        let running = SharedCounter(), maxNonCritical = SharedCounter(), ran = SharedCounter()
        let shedCount = SharedCounter(), cancelled = SharedCounter()
        let calls = 2_000
        var generator = SplitMix(seed: 42)
        let plan: [(Priority, Bool)] = (0..<calls).map { _ in
            (Priority.allCases[Int(generator.next() % 4)], generator.next() % 5 == 0)
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for step in 0..<200 {
                    try? cpu.record(Double(step % 10) / 10)
                    await Task.yield()
                }
            }
            for (index, (priority, cancel)) in plan.enumerated() {
                let task = Task {
                    do {
                        try await shedder.execute(priority: priority) {
                            ran.increment()
                            if priority != .critical {
                                maxNonCritical.raise(to: running.increment())
                            }
                            defer { if priority != .critical { running.decrement() } }
                            for _ in 0..<(index % 4) { await Task.yield() }
                            try Task.checkCancellation()
                        }
                    } catch let error as ResilienceError where error.code == .loadShed {
                        shedCount.increment()
                    } catch is CancellationError {
                        cancelled.increment()
                    } catch {
                        Issue.record("unexpected \(error)")
                    }
                }
                if cancel { task.cancel() }
                group.addTask { await task.value }
            }
        }
        let stats = shedder.stats
        #expect(shedder.inFlight == 0)
        #expect(stats.inFlightByPriority.values.allSatisfy { $0 == 0 })
        #expect(stats.admitted.values.reduce(0, +) + stats.shed.values.reduce(0, +) == calls)
        #expect(stats.shed.values.reduce(0, +) == shedCount.value)
        #expect(stats.admitted.values.reduce(0, +) == ran.value)
        #expect(stats.shed[.critical] == 0)
        #expect(stats.admitted[.critical] == plan.filter { $0.0 == .critical }.count)
        // A non-critical call is admitted only while fewer than 12 calls are in flight.
        #expect(maxNonCritical.value <= 12)
        #expect(running.value == 0)
        // The run exercised every path.
        #expect(shedCount.value > 0)
        #expect(cancelled.value > 0)
        #expect(ran.value > cancelled.value)
    }
}

/// A small seeded generator, so the plan is the same on every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
