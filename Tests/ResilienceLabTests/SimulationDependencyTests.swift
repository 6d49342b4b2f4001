import HeapModule
import Resilience
import Testing
@testable import ResilienceConfiguration
@testable import ResilienceLab

@Suite("Simulation: simulated dependency")
struct SimulationDependencyTests {
    func dependency(
        workers: Int = 2, maxQueue: Int = 1, serviceTime: ServiceTimeDistribution = .constant(.milliseconds(10)),
        phases: [DependencyBehaviour.Phase] = []
    ) throws -> SimulatedDependency {
        try SimulatedDependency(DependencyModel(
            workers: workers, maxQueue: maxQueue, serviceTime: serviceTime, behaviour: DependencyBehaviour(phases: phases)))
    }

    @Test("2 workers, queue of 1: two served, third queued, fourth overloaded; a freed worker goes to the queued call at that instant")
    func capacityAndQueue() throws {
        var d = try dependency()
        var random = SplitMix64(seed: 1)
        let ms = Duration.milliseconds
        let first = d.arrive(call: 1, at: .zero, random: &random)
        let second = d.arrive(call: 2, at: ms(1), random: &random)
        let third = d.arrive(call: 3, at: ms(2), random: &random)
        let fourth = d.arrive(call: 4, at: ms(3), random: &random)
        #expect(first == .served(answeredAt: ms(10), answer: .success))
        #expect(second == .served(answeredAt: ms(11), answer: .success))
        #expect(third == .queued)
        #expect(fourth == .rejected(.overloaded))
        #expect(d.busyWorkers == 2 && d.queueLength == 1)
        d.serviceEnded(at: ms(10))
        let started = d.startNextWaiting(at: ms(10), random: &random)
        #expect(started == DependencyStart(call: 3, queuedAt: ms(2), answeredAt: ms(20), answer: .success))
        let nothingMore = d.startNextWaiting(at: ms(10), random: &random)
        #expect(nothingMore == nil)
        #expect(d.busyWorkers == 2 && d.queueLength == 0)
        // A new call now queues (both workers busy until 11 and 20 ms).
        let fifth = d.arrive(call: 5, at: ms(10), random: &random)
        #expect(fifth == .queued)
        #expect(d.counters.received == 5 && d.counters.served == 3 && d.counters.overloaded == 1)
        #expect(d.counters.maxQueueLength == 1)
        #expect(d.counters.busyTime == ms(30))
    }

    @Test("abandoning a queued call removes it; abandoning a served call keeps its worker busy")
    func abandonment() throws {
        var d = try dependency(maxQueue: 2)
        var random = SplitMix64(seed: 1)
        let ms = Duration.milliseconds
        d.arrive(call: 1, at: .zero, random: &random)
        d.arrive(call: 2, at: .zero, random: &random)
        d.arrive(call: 3, at: ms(1), random: &random)
        d.arrive(call: 4, at: ms(2), random: &random)
        let removed = d.abandon(call: 3)
        #expect(removed)
        #expect(d.queueLength == 1)
        let servedAbandon = d.abandon(call: 1)
        #expect(!servedAbandon)
        #expect(d.busyWorkers == 2)
        // Call 1's client gave up, but its worker is busy until 10 ms: a new call still queues.
        let fifth = d.arrive(call: 5, at: ms(5), random: &random)
        #expect(fifth == .queued)
        d.serviceEnded(at: ms(10))
        let next = d.startNextWaiting(at: ms(10), random: &random)
        #expect(next?.call == 4)
        d.serviceEnded(at: ms(10))
        let after = d.startNextWaiting(at: ms(10), random: &random)
        #expect(after?.call == 5)
        #expect(d.counters.abandonedWhileQueued == 1 && d.counters.abandonedWhileServed == 1)
        #expect(d.counters.abandoned == 2)
    }

    @Test("failing: the fraction fails after its service time; 0 and 1 are exact")
    func failing() throws {
        var d = try dependency(workers: 1_000_000, maxQueue: 0, phases: [.init(from: .zero, condition: .failing(fraction: 0.25))])
        var random = SplitMix64(seed: 2)
        var failures = 0
        for call in 0..<40_000 {
            let arrival = d.arrive(call: UInt64(call), at: .zero, random: &random)
            if arrival == .served(answeredAt: .milliseconds(10), answer: .failure) { failures += 1 }
        }
        #expect(abs(failures - 10_000) < 400)
        #expect(d.counters.failed == failures)
        var all = try dependency(phases: [.init(from: .zero, condition: .failing(fraction: 1))])
        let failed = all.arrive(call: 1, at: .zero, random: &random)
        #expect(failed == .served(answeredAt: .milliseconds(10), answer: .failure))
    }

    @Test("brownout multiplies service time; down refuses at once, also queued calls whose turn comes")
    func brownoutAndDown() throws {
        let ms = Duration.milliseconds
        var d = try dependency(workers: 1, maxQueue: 2, phases: [
            .init(from: ms(100), condition: .brownout(latencyMultiplier: 2.5)),
            .init(from: ms(200), condition: .down),
            .init(from: ms(300), condition: .healthy),
        ])
        var random = SplitMix64(seed: 1)
        #expect(d.arrive(call: 1, at: ms(50), random: &random) == .served(answeredAt: ms(60), answer: .success))
        d.serviceEnded(at: ms(60))
        #expect(d.arrive(call: 2, at: ms(100), random: &random) == .served(answeredAt: ms(125), answer: .success))
        d.serviceEnded(at: ms(125))
        // Started at 195 ms in the brownout: 25 ms, ending in the down phase as decided.
        #expect(d.arrive(call: 3, at: ms(195), random: &random) == .served(answeredAt: ms(220), answer: .success))
        #expect(d.arrive(call: 4, at: ms(199), random: &random) == .queued)
        #expect(d.arrive(call: 5, at: ms(200), random: &random) == .rejected(.refused))
        d.serviceEnded(at: ms(220))
        let refused = d.startNextWaiting(at: ms(220), random: &random)
        #expect(refused == DependencyStart(call: 4, queuedAt: ms(199), answeredAt: ms(220), answer: .refused))
        #expect(refused?.holdsWorker == false)
        #expect(d.busyWorkers == 0)
        #expect(d.arrive(call: 6, at: ms(300), random: &random) == .served(answeredAt: ms(310), answer: .success))
        #expect(d.counters.refused == 2)
    }

    @Test("flapping: down for the first downFraction of each period from the phase start")
    func flapping() throws {
        let ms = Duration.milliseconds
        let behaviour = try DependencyBehaviour(phases: [
            .init(from: ms(1_000), condition: .flapping(period: ms(100), downFraction: 0.3)),
        ])
        #expect(!behaviour.isDown(at: ms(999)))
        #expect(behaviour.isDown(at: ms(1_000)))
        #expect(behaviour.isDown(at: ms(1_029)))
        #expect(!behaviour.isDown(at: ms(1_030)))
        #expect(!behaviour.isDown(at: ms(1_099)))
        #expect(behaviour.isDown(at: ms(1_100)))
        var d = try dependency(workers: 10, maxQueue: 0, phases: behaviour.phases)
        var random = SplitMix64(seed: 1)
        #expect(d.arrive(call: 1, at: ms(1_210), random: &random) == .rejected(.refused))
        #expect(d.arrive(call: 2, at: ms(1_240), random: &random) == .served(answeredAt: ms(1_250), answer: .success))
    }

    @Test("rate limiting: a full bucket of capacity, refilled at capacity per second; beyond it 429 with the hint")
    func rateLimiting() throws {
        let ms = Duration.milliseconds
        var d = try dependency(workers: 100, maxQueue: 0, phases: [
            .init(from: .seconds(1), condition: .rateLimiting(capacityPerSecond: 10, retryAfter: .seconds(2))),
        ])
        var random = SplitMix64(seed: 1)
        var call: UInt64 = 0
        func arrive(_ at: Duration) -> SimulatedDependency.Arrival {
            call += 1
            return d.arrive(call: call, at: at, random: &random)
        }
        // Before the phase: no limit.
        for _ in 0..<20 { #expect(arrive(ms(500)) != .rejected(.rateLimited(retryAfter: .seconds(2)))) }
        var admitted = 0
        for _ in 0..<15 where arrive(.seconds(1)) != .rejected(.rateLimited(retryAfter: .seconds(2))) { admitted += 1 }
        #expect(admitted == 10)
        // 100 ms later one token is back.
        #expect(arrive(.seconds(1) + ms(99)) == .rejected(.rateLimited(retryAfter: .seconds(2))))
        #expect(arrive(.seconds(1) + ms(100)) == .served(answeredAt: .seconds(1) + ms(110), answer: .success))
        #expect(d.counters.rateLimited == 6)
        #expect(d.counters.rejected == 6)
    }

    @Test("invalid phases name the phase and the parameter")
    func validation() {
        #expect(throws: ConfigurationError(key: "phases[1].fraction", value: "1.5", allowed: "[0, 1]")) {
            try DependencyBehaviour(phases: [.init(from: .zero, condition: .down), .init(from: .seconds(1), condition: .failing(fraction: 1.5))])
        }
        #expect(throws: ConfigurationError(key: "phases[1].from", value: "1s", allowed: "> 1s (phases[0].from)")) {
            try DependencyBehaviour(phases: [.init(from: .seconds(1), condition: .down), .init(from: .seconds(1), condition: .healthy)])
        }
        #expect(throws: ConfigurationError(key: "phases[0].latencyMultiplier", value: "0.5", allowed: "[1, 1000]")) {
            try DependencyBehaviour(phases: [.init(from: .zero, condition: .brownout(latencyMultiplier: 0.5))])
        }
        #expect(throws: ConfigurationError(key: "workers", value: "0", allowed: "1...1000000")) {
            try DependencyModel(workers: 0, maxQueue: 0, serviceTime: .constant(.zero))
        }
    }

    /// Drives a dependency with Poisson arrivals and a timeout, by a tiny event loop.
    @Test("a long seeded run: utilisation matches λ·E[S]/c, ∫queue dt equals the sum of waits (Little), counts conserve")
    func littlesLaw() throws {
        let serviceTime = ServiceTimeDistribution.logNormal(median: .milliseconds(20), p99: .milliseconds(200))
        var d = try dependency(workers: 10, maxQueue: 50, serviceTime: serviceTime)
        var random = SplitMix64(seed: 11)
        var traffic = TrafficGenerator(
            model: try TrafficModel(rates: [.init(from: .zero, ratePerSecond: 280)]), duration: .seconds(200), seed: 3)
        var ends = Heap<Duration>()
        var queueIntegral: Int128 = 0   // queue length × nanoseconds
        var waits: Int128 = 0
        var last: Duration = .zero
        var call: UInt64 = 0
        func advance(to instant: Duration) {
            queueIntegral += Int128(d.queueLength) * Int128(SimulationMath.nanoseconds(instant - last))
            last = instant
        }
        var pending = traffic.nextOpenLoopArrival()
        while pending != nil || ends.count > 0 {
            if let arrival = pending, arrival.at < (ends.min ?? .seconds(1_000_000)) {
                advance(to: arrival.at)
                call += 1
                if case .served(let answeredAt, _) = d.arrive(call: call, at: arrival.at, random: &random) {
                    ends.insert(answeredAt)
                }
                pending = traffic.nextOpenLoopArrival()
            } else {
                let now = ends.popMin()!
                advance(to: now)
                d.serviceEnded(at: now)
                while let start = d.startNextWaiting(at: now, random: &random) {
                    waits += Int128(SimulationMath.nanoseconds(now - start.queuedAt))
                    ends.insert(start.answeredAt)
                }
            }
        }
        let c = d.counters
        #expect(c.received == traffic.openLoopCalls)
        #expect(c.received == c.served + c.overloaded + c.rateLimited + c.refused + c.abandonedWhileQueued + d.queueLength)
        #expect(queueIntegral == waits)
        #expect(waits > 0)
        let utilisation = Double(SimulationMath.nanoseconds(c.busyTime)) / (10 * 200e9)
        let offered = 280 * Double(SimulationMath.nanoseconds(serviceTime.mean)) / 1e9 / 10
        #expect(abs(utilisation - offered) / offered < 0.05, "utilisation \(utilisation), offered \(offered)")
        #expect(c.overloaded > 0 && c.overloaded < c.received / 50)
    }
}
