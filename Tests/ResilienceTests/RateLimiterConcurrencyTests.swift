import Testing
@testable import Resilience

/// Many tasks at once, on a clock that does not move: the number admitted must be exactly what the
/// bucket or window holds, whatever the interleaving; waiters cancelled together must give back every
/// permit. Run under ThreadSanitizer with `swift test --sanitize=thread --filter RateLimiter`.
@Suite("Rate limiter concurrency")
struct RateLimiterConcurrencyTests {
    static let tasks = 16
    static let callsPerTask = 200

    /// Runs `call` `callsPerTask` times in each of `tasks` tasks; returns how many calls succeeded.
    static func hammer(_ call: @escaping @Sendable (Int, Int) async throws -> Void) async -> Int {
        await withTaskGroup(of: Int.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var admitted = 0
                    for index in 0..<callsPerTask where (try? await call(task, index)) != nil { admitted += 1 }
                    return admitted
                }
            }
            return await group.reduce(0, +)
        }
    }

    @Test("token bucket: exactly burst calls are admitted out of 3200 concurrent ones")
    func tokenBucket() async throws {
        let limiter = RateLimiter(
            name: "c", configuration: RateLimiterConfiguration(permitsPerSecond: 10, burst: 500), clock: ManualClock())
        let admitted = await Self.hammer { _, _ in _ = try await limiter.execute { 0 } }
        #expect(admitted == 500)
    }

    @Test("keyed: exactly burst calls per key, 10 keys shared by all tasks")
    func keyed() async throws {
        let limiter = KeyedRateLimiter(
            name: "c", configuration: KeyedRateLimiterConfiguration(permitsPerSecond: 10, burst: 50, maxKeys: 10),
            key: { _ in 0 }, clock: ManualClock())
        let admitted = await Self.hammer { task, index in try await limiter.acquire(key: (task + index) % 10) }
        #expect(admitted == 500)
        #expect(limiter.keyCount == 10)
        // An 11th key is over the bound.
        await #expect(throws: ResilienceError.self) { try await limiter.acquire(key: 10) }
    }

    @Test("sliding window: exactly limit calls are admitted")
    func slidingWindow() async throws {
        let limiter = SlidingWindowRateLimiter(
            name: "c", configuration: SlidingWindowRateLimiterConfiguration(limit: 300, window: .seconds(1)),
            clock: ManualClock())
        let admitted = await Self.hammer { _, _ in try await limiter.acquire() }
        #expect(admitted == 300)
    }

    @Test("waiters cancelled together return every permit: the bucket is exactly as the admitted calls left it")
    func cancelledWaiters() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(
            name: "c", configuration: RateLimiterConfiguration(permitsPerSecond: 1, burst: 10, maxWait: .seconds(1_000)),
            clock: clock)
        let keyed = KeyedRateLimiter(
            name: "k", configuration: KeyedRateLimiterConfiguration(permitsPerSecond: 1, burst: 10, maxWait: .seconds(1_000)),
            key: { _ in 0 }, clock: clock)
        let waiters = 64
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<waiters {
                group.addTask { try? await limiter.acquire() }
                group.addTask { try? await keyed.acquire(key: index % 4) }
            }
            // 10 + 4 × 10 calls go at once; the other 2 × 64 − 50 sleep on the clock.
            await eventually { clock.sleeperCount == 2 * waiters - 50 }
            group.cancelAll()
        }
        #expect(clock.sleeperCount == 0)
        #expect(limiter.waitingCount == 0)
        // Every reservation returned: the buckets are empty, not in debt (a leaked reservation would make
        // them negative).
        #expect(limiter.availablePermits == 0)
        for key in 0..<4 { #expect(keyed.availablePermits(for: key) == 0) }
    }
}
