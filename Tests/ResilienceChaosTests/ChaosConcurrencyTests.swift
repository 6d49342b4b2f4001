import MetricsTestKit
@testable import Resilience
import ResilienceChaos
import Testing

@Suite("Chaos strategies under concurrency")
struct ChaosConcurrencyTests {
    @Test("1,000 concurrent calls draw the seed's first 1,000 numbers, whatever the interleaving: the injected count is exact")
    func exactCountUnderConcurrency() async throws {
        let reference = ChaosRandom(seed: 11)
        let expected = (0..<1_000).count { _ in reference.nextUnit() < 0.3 }
        let metrics = TestMetrics()
        let fault = ChaosFault(
            name: "db", rate: 0.3, enabled: true, error: Injected(), random: ChaosRandom(seed: 11), metricsFactory: metrics)
        let reached = Tally()
        let failed = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<1_000 {
                group.addTask {
                    do {
                        _ = try await fault.execute { reached.add(\.ran) }
                        return false
                    } catch {
                        return error is Injected
                    }
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failed == expected)
        #expect(reached.counts.ran == 1_000 - expected)
        #expect(try metrics.expectCounter("resilience_chaos_injections_total", [("policy", "db"), ("kind", "fault")]).totalValue == Int64(expected))
    }

    @Test("Flipping the switch and the rate while 8 tasks call: every call either ran or was injected, nothing else")
    func flipsWhileCalling() async throws {
        let staging = ChaosSwitch(false)
        let fault = ChaosFault(name: "db", rate: 0.5, enabled: staging, error: Injected())
        let outcomes = Tally()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<500 {
                        do {
                            _ = try await fault.execute { 1 }
                            outcomes.add(\.ran)
                        } catch is Injected {
                            outcomes.add(\.injected)
                        } catch {
                            outcomes.add(\.other)
                        }
                    }
                }
            }
            group.addTask {
                for step in 0..<200 {
                    staging.set(step % 2 == 0)
                    try? fault.setRate(step % 3 == 0 ? 1 : 0.25)
                    await Task.yield()
                }
            }
        }
        let (ran, injected, other) = (outcomes.counts.ran, outcomes.counts.injected, outcomes.counts.other)
        #expect(ran + injected == 4_000)
        #expect(other == 0)
    }
}

/// Counts of how calls ended, from many tasks.
private final class Tally: Sendable {
    struct Counts: Sendable { var ran = 0, injected = 0, other = 0 }
    private let state = Locked(Counts())
    func add(_ field: WritableKeyPath<Counts, Int> & Sendable) { state.withLock { $0[keyPath: field] += 1 } }
    var counts: Counts { state.withLock { $0 } }
}
