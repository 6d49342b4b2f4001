import Testing
@testable import Resilience

/// Successes counted without the lock (`CircuitBreakerFastPath`) must reach the state machine exactly:
/// none lost, none counted twice, each in its bucket and generation.
@Suite("Circuit breaker: successes counted without the lock")
struct CircuitBreakerFastPathTests {
    func fastBreaker(
        _ configuration: CircuitBreakerConfiguration, clock: ManualClock
    ) throws -> CircuitBreaker<ManualClock> {
        CircuitBreaker(name: "fast", configuration: configuration, clock: clock)
    }

    /// Runs `tasks` tasks at once, each calling `body` with its index and with the call numbers
    /// `0..<calls`, plus `alongside` in one more task.
    func concurrently(
        tasks: Int, calls: Int, alongside: @escaping @Sendable () async -> Void = {},
        _ body: @escaping @Sendable (_ task: Int, _ call: Int) async -> Void
    ) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask(operation: alongside)
            for task in 0..<tasks {
                group.addTask { for call in 0..<calls { await body(task, call) } }
            }
        }
    }

    @Test("successes counted without the lock count in the stats and in the trip decision")
    func countWindowSuccessesCount() async throws {
        let breaker = try fastBreaker(
            CircuitBreakerConfiguration(window: .count, windowSize: 10, minimumThroughput: 10), clock: ManualClock())
        for _ in 0..<6 { _ = try await breaker.execute { 1 } }
        for _ in 0..<4 { await breaker.fail() }
        var stats = breaker.stats
        #expect(stats.state == .closed)
        #expect(stats.windowCalls == 10)
        #expect(stats.windowFailures == 4)
        #expect(stats.successfulCalls == 6)
        // The last 10 calls are now 5 successes and 5 failures: 0.5 ≥ 0.5 trips.
        await breaker.fail()
        stats = breaker.stats
        #expect(stats.state == .open)
        #expect(stats.windowCalls == 10)
        #expect(stats.windowFailures == 5)
    }

    @Test("in a time window, each success lands in the bucket of the instant it ended")
    func timeWindowBuckets() async throws {
        let clock = ManualClock()
        let breaker = try fastBreaker(
            CircuitBreakerConfiguration(samplingDuration: .seconds(10), windowBuckets: 5), clock: clock)
        for _ in 0..<3 { _ = try await breaker.execute { 1 } }    // bucket 0: [0 s, 2 s)
        clock.advance(to: .init(offset: .milliseconds(2_500)))
        for _ in 0..<2 { _ = try await breaker.execute { 1 } }    // bucket 1: [2 s, 4 s)
        #expect(breaker.stats.windowCalls == 5)
        clock.advance(to: .init(offset: .milliseconds(9_999)))
        #expect(breaker.stats.windowCalls == 5)
        clock.advance(to: .init(offset: .seconds(10)))              // bucket 0 counted while now < 10 s
        #expect(breaker.stats.windowCalls == 2)
        clock.advance(to: .init(offset: .seconds(12)))
        #expect(breaker.stats.windowCalls == 0)
        #expect(breaker.stats.successfulCalls == 5)
    }

    @Test("a success ending after the clock crossed into a new bucket lands in the new bucket")
    func successAcrossBucketBoundary() async throws {
        let clock = ManualClock()
        let breaker = try fastBreaker(
            CircuitBreakerConfiguration(samplingDuration: .seconds(10), windowBuckets: 5), clock: clock)
        _ = try await breaker.execute { () -> Int in
            clock.advance(to: .init(offset: .seconds(2)))        // admitted in bucket 0, ends in bucket 1
            return 1
        }
        clock.advance(to: .init(offset: .seconds(10)))
        #expect(breaker.stats.windowCalls == 1)
        clock.advance(to: .init(offset: .seconds(12)))
        #expect(breaker.stats.windowCalls == 0)
    }

    @Test("many tasks at once: every outcome is counted exactly once, in the window and in the totals")
    func concurrentCountWindow() async throws {
        let breaker = try fastBreaker(
            CircuitBreakerConfiguration(window: .count, windowSize: 100_000, minimumThroughput: 100_000),
            clock: ManualClock())
        let tasks = 8, calls = 5_000
        await concurrently(tasks: tasks, calls: calls) { task, call in
            if (call + task) % 50 == 0 { await breaker.fail() } else { _ = try? await breaker.execute { 1 } }
            if call % 1_000 == 0 { _ = breaker.stats }   // takes the lock mid-flight
        }
        let stats = breaker.stats
        #expect(stats.state == .closed)
        #expect(stats.windowCalls == tasks * calls)
        #expect(stats.windowFailures == tasks * calls / 50)
        #expect(stats.successfulCalls == tasks * calls - tasks * calls / 50)
        #expect(stats.failedCalls == tasks * calls / 50)
    }

    @Test("many tasks while the clock crosses bucket after bucket: no success is lost or misplaced")
    func concurrentTimeWindow() async throws {
        let clock = ManualClock()
        let breaker = try fastBreaker(
            CircuitBreakerConfiguration(
                samplingDuration: .seconds(10), windowBuckets: 10_000, minimumThroughput: 1_000_000),
            clock: clock)
        let tasks = 6, calls = 4_000
        // 1 ms buckets: 3,000 boundaries crossed while the calls run, all within the 10 s span.
        await concurrently(tasks: tasks, calls: calls, alongside: {
            for _ in 0..<3_000 {
                clock.advance(by: .milliseconds(1))
                await Task.yield()
            }
        }) { _, _ in _ = try? await breaker.execute { 1 } }
        #expect(breaker.stats.windowCalls == tasks * calls)
        #expect(breaker.stats.successfulCalls == tasks * calls)
        // Every success is in a bucket no later than the clock: all of them expire by 3 s + 10 s.
        clock.advance(to: .init(offset: .seconds(13)))
        #expect(breaker.stats.windowCalls == 0)
    }

    @Test("successes of a generation that ended are counted in the totals only")
    func concurrentGenerationChanges() async throws {
        let breaker = try fastBreaker(
            CircuitBreakerConfiguration(window: .count, windowSize: 10_000, minimumThroughput: 1),
            clock: ManualClock())
        let tasks = 6, calls = 3_000
        await concurrently(tasks: tasks, calls: calls, alongside: {
            for round in 0..<300 {
                if round.isMultiple(of: 2) { breaker.forceClosed() } else { breaker.reset() }
                await Task.yield()
            }
        }) { _, _ in _ = try? await breaker.execute { 1 } }
        breaker.reset()
        let stats = breaker.stats
        #expect(stats.successfulCalls == tasks * calls)
        #expect(stats.windowCalls == 0)
        _ = try await breaker.execute { 1 }
        #expect(breaker.stats.windowCalls == 1)
    }
}
