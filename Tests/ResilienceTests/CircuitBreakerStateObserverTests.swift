import Synchronization
import Testing
@testable import Resilience

private struct Refused: Error {}

/// State-change observers: they hear every transition and nothing else, and the closed breaker keeps
/// counting successes without its lock; observers of every event turn that off, and removing them
/// turns it back on.
@Suite("Circuit breaker: state-change observers keep the fast path")
struct CircuitBreakerStateObserverTests {
    func breaker(_ clock: ManualClock) -> CircuitBreaker<ManualClock> {
        CircuitBreaker(
            name: "observed",
            configuration: CircuitBreakerConfiguration(window: .count, windowSize: 4, minimumThroughput: 2, breakDuration: .seconds(10)),
            clock: clock)
    }

    func countsWithoutLock(_ breaker: CircuitBreaker<ManualClock>) -> Bool {
        breaker.fastPath.word.load(ordering: .relaxed) & CircuitBreakerFastPath.countingBit != 0
    }

    @Test("A state observer hears each transition, in order, and no call outcome; the fast path stays on")
    func stateObserver() async throws {
        let clock = ManualClock()
        let breaker = breaker(clock)
        let heard = Locked<[CircuitTransition]>([])
        let id = breaker.addStateObserver { transition in heard.withLock { $0.append(transition) } }
        #expect(countsWithoutLock(breaker))
        for _ in 0..<3 { _ = try await breaker.execute { 1 } }
        #expect(countsWithoutLock(breaker))
        for _ in 0..<2 { _ = try? await breaker.execute { () async throws -> Int in throw Refused() } }
        #expect(breaker.state == .open)
        clock.advance(by: .seconds(10))
        #expect(breaker.state == .halfOpen)
        #expect(heard.withLock { $0.map(\.to) } == [.open, .halfOpen])
        #expect(heard.withLock { $0.map(\.from) } == [.closed, .open])
        breaker.removeObserver(id)
        breaker.reset()
        #expect(heard.withLock { $0.count } == 2)
    }

    @Test("An observer of every event turns lock-free counting off while it is added, and hears each success")
    func everyEventObserver() async throws {
        let breaker = breaker(ManualClock())
        let outcomes = Locked(0)
        let id = breaker.addObserver { event in
            if case .outcomeRecorded = event { outcomes.withLock { $0 += 1 } }
        }
        #expect(!countsWithoutLock(breaker))
        for _ in 0..<3 { _ = try await breaker.execute { 1 } }
        #expect(outcomes.withLock { $0 } == 3)
        breaker.removeObserver(id)
        #expect(countsWithoutLock(breaker))
        let stateOnly = breaker.addStateObserver { _ in }
        #expect(countsWithoutLock(breaker))
        breaker.removeObserver(stateOnly)
    }

    @Test("A breaker watched by a GracefulDegradation keeps its fast path, and the level still follows it")
    func degradationInput() async throws {
        let breaker = breaker(ManualClock())
        let degradation = GracefulDegradation(name: "d", inputs: [.breaker(breaker)])
        #expect(countsWithoutLock(breaker))
        #expect(degradation.level == .normal)
        for _ in 0..<2 { _ = try? await breaker.execute { () async throws -> Int in throw Refused() } }
        #expect(degradation.level == .degraded)
    }

    @Test("stateChanges() streams the transitions, and ends its registration when the consumer stops")
    func stream() async throws {
        let clock = ManualClock()
        let breaker = breaker(clock)
        let changes = breaker.stateChanges()
        #expect(countsWithoutLock(breaker))
        for _ in 0..<2 { _ = try? await breaker.execute { () async throws -> Int in throw Refused() } }
        breaker.forceClosed()
        var iterator = changes.makeAsyncIterator()
        let first = await iterator.next()
        let second = await iterator.next()
        #expect(first?.to == .open && second?.to == .forcedClosed)
    }
}
