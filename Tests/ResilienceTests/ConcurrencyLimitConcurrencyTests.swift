import Testing
@testable import Resilience

@Suite("Concurrency limit: many tasks")
struct ConcurrencyLimitConcurrencyTests {
    private enum Ending { case ran, shed, cancelled }

    /// Runs `tasks` calls, a third of them cancelled at a random moment, through `limiter`, and checks
    /// that no more than `bound` operations ever ran at once and that nothing is left in flight or queued.
    private func hammer(_ limiter: ConcurrencyLimiter<ContinuousClock>, bound: Int, tasks: Int, seed: UInt64) async {
        let running = SharedCounter()
        let peak = SharedCounter()
        var random = SplitMix64(seed: seed)
        let endings = await withTaskGroup(of: Ending.self, returning: [Ending].self) { group in
            var handles: [Task<Ending, Never>] = []
            for index in 0..<tasks {
                let work = Int(random.next() % 200)
                let task = Task { () -> Ending in
                    do {
                        try await limiter.execute {
                            peak.raise(to: running.increment())
                            defer { running.decrement() }
                            for _ in 0..<work { await Task.yield() }
                            if work % 7 == 0 { throw CancellationError() }
                            if work % 11 == 0 { struct Failure: Error {}; throw Failure() }
                        }
                        return .ran
                    } catch let error as ResilienceError {
                        #expect(error.code == .loadShed)
                        return .shed
                    } catch {
                        return .cancelled
                    }
                }
                handles.append(task)
                if index % 3 == 0 {
                    let delay = Int(random.next() % 50)
                    group.addTask {
                        for _ in 0..<delay { await Task.yield() }
                        task.cancel()
                        return await task.value
                    }
                } else {
                    group.addTask { await task.value }
                }
            }
            var endings: [Ending] = []
            for await ending in group { endings.append(ending) }
            return endings
        }
        #expect(endings.count == tasks)
        #expect(peak.value <= bound)
        #expect(peak.value >= 1)
        #expect(running.value == 0)
        #expect(limiter.inFlight == 0)
        #expect(limiter.queued == 0)
    }

    @Test("a fixed limit of 4 with a LIFO queue: never more than 4 at once, nothing leaked")
    func fixedLimit() async throws {
        let limiter = ConcurrencyLimiter(
            name: "fixed",
            configuration: .init(initialLimit: 4, minLimit: 4, maxLimit: 4, maxQueued: 8, maxWait: .milliseconds(20)))
        await hammer(limiter, bound: 4, tasks: 400, seed: 1)
    }

    @Test("an adaptive limit (AIMD, at most 12): never more than the limit allows, nothing leaked")
    func adaptiveLimit() async throws {
        let limiter = ConcurrencyLimiter(
            name: "aimd",
            configuration: .init(
                algorithm: .aimd(.init(timeout: .milliseconds(5))), initialLimit: 3, maxLimit: 12, maxQueued: 6,
                maxWait: .milliseconds(5)))
        await hammer(limiter, bound: 12, tasks: 400, seed: 2)
        #expect((1...12).contains(limiter.limit))
    }

    @Test("without a queue: excess calls are shed, never more than the limit at once")
    func noQueue() async throws {
        let limiter = ConcurrencyLimiter(
            name: "shed", configuration: .init(algorithm: .vegas(), initialLimit: 5, maxLimit: 5))
        await hammer(limiter, bound: 5, tasks: 300, seed: 3)
    }
}
